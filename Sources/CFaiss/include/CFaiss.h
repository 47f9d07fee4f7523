/*
 * CFaiss: a plain-C shim over the FAISS 1.7.3 C++ library (Debian `libfaiss-dev`, which ships no
 * `libfaiss_c`). Swift never sees a C++ type; this header is the whole contract.
 *
 * Conventions
 * - Every name is prefixed `vt_faiss_`. Handles are opaque; each `create` has one `destroy`.
 * - Every function that can fail returns an int status (`VT_FAISS_OK` = 0 on success) and, on
 *   failure, writes a NUL-terminated message (the C++ exception's what(), or the argument that was
 *   wrong) into `error[0 ..< error_capacity]`, truncated if needed. `error` may be NULL when
 *   `error_capacity` is 0. Destroy/free functions cannot fail, accept NULL and return nothing.
 * - Binary codes are `dimension_bits / 8` bytes each, rows packed one after another. FAISS reads
 *   the bit string least significant bit first within each byte, bytes in increasing order, so a
 *   little-endian `uint64_t` code's bit i (value `1 << i`) is bit i of the FAISS code.
 * - Ids are the insertion order: the first code ever added is 0.
 * - `threads` > 0 calls `omp_set_num_threads(threads)` on the calling thread just before the FAISS
 *   call (libgomp keeps that setting per calling thread, so setting it from another thread has no
 *   effect); `threads` <= 0 leaves the current setting.
 * - Handles are not internally locked: concurrent searches on one handle are safe (FAISS searches
 *   are const), but an add must not run concurrently with anything else on the same handle.
 */
#ifndef VT_CFAISS_H
#define VT_CFAISS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
#define VT_FAISS_OK 0
/** An argument was out of range (message names it); nothing was changed. */
#define VT_FAISS_INVALID_ARGUMENT 1
/** FAISS threw an exception; the message is its what(). */
#define VT_FAISS_LIBRARY_ERROR 2
/** std::bad_alloc. */
#define VT_FAISS_OUT_OF_MEMORY 3
/** Something other than a std::exception was thrown. */
#define VT_FAISS_UNKNOWN_ERROR 4

/** Opaque handle on a FAISS binary (Hamming) index: `faiss::IndexBinaryFlat` or
 *  `faiss::IndexBinaryMultiHash`. */
typedef struct vt_faiss_binary_index vt_faiss_binary_index;

/** Result of a range search, in FAISS's layout: the matches of query q are
 *  `labels[lims[q] ..< lims[q + 1]]` with Hamming distances (bits) `distances[...]`, in no
 *  particular order. Arrays are owned by the shim: release them with `vt_faiss_range_result_free`. */
typedef struct vt_faiss_range_result {
    int64_t query_count; /**< nq */
    int64_t *lims;       /**< nq + 1 offsets; lims[0] = 0, lims[nq] = total matches */
    int64_t *labels;     /**< lims[nq] ids */
    int32_t *distances;  /**< lims[nq] Hamming distances in bits */
} vt_faiss_range_result;

/** Creates an exhaustive index (`faiss::IndexBinaryFlat`) over codes of `dimension_bits` bits
 *  (a positive multiple of 8). */
int vt_faiss_binary_index_create_flat(int32_t dimension_bits, vt_faiss_binary_index **out_index,
                                      char *error, size_t error_capacity);

/** Creates a multi-index hashing index (`faiss::IndexBinaryMultiHash`): `tables` hash tables, table
 *  t keyed on bits [t·b, (t+1)·b) of the code with b = `bits_per_table`, probed at search time with
 *  every key within `flips` bits of the query's key. Requires tables ≥ 1, 1 ≤ b ≤ 63,
 *  (t·b mod 8) + b ≤ 64 for every table t (FAISS reads each key with one 8-byte load),
 *  tables·b ≤ dimension_bits, 0 ≤ flips ≤ b. A search finds every code within distance
 *  tables·(flips + 1) − 1 of the query (pigeonhole), and possibly some farther ones. */
int vt_faiss_binary_index_create_multihash(int32_t dimension_bits, int32_t tables,
                                           int32_t bits_per_table, int32_t flips,
                                           vt_faiss_binary_index **out_index,
                                           char *error, size_t error_capacity);

/** Frees the index and everything it owns. NULL is ignored. */
void vt_faiss_binary_index_destroy(vt_faiss_binary_index *index);

/** Appends `count` codes (`count × dimension_bits/8` bytes, row-major); they get ids
 *  ntotal ..< ntotal + count. */
int vt_faiss_binary_index_add(vt_faiss_binary_index *index, const uint8_t *codes, int64_t count,
                              char *error, size_t error_capacity);

/** Writes the number of indexed codes (FAISS `ntotal`). */
int vt_faiss_binary_index_count(const vt_faiss_binary_index *index, int64_t *out_count,
                                char *error, size_t error_capacity);

/** Range search: for each of `query_count` queries, every indexed code at Hamming distance
 *  strictly below `radius` (FAISS semantics: pass maxDistance + 1 for an inclusive bound).
 *  On success `*out_result` holds arrays to free with `vt_faiss_range_result_free`; on failure it
 *  is zeroed. */
int vt_faiss_binary_index_range_search(const vt_faiss_binary_index *index, const uint8_t *queries,
                                       int64_t query_count, int32_t radius, int32_t threads,
                                       vt_faiss_range_result *out_result,
                                       char *error, size_t error_capacity);

/** Frees the arrays of a range result and zeroes it. NULL is ignored. */
void vt_faiss_range_result_free(vt_faiss_range_result *result);

/** k-nearest-neighbour search by Hamming distance. `distances` and `labels` are caller-owned
 *  `query_count × k` row-major arrays; row q lists the neighbours of query q by increasing distance.
 *  Slots without a neighbour (k > count, or a multi-hash index that found fewer than k candidates)
 *  hold label −1. A multi-hash index only sees the candidates its tables return, so its
 *  neighbours are exact only within distance tables·(flips + 1) − 1. */
int vt_faiss_binary_index_knn_search(const vt_faiss_binary_index *index, const uint8_t *queries,
                                     int64_t query_count, int64_t k, int32_t threads,
                                     int32_t *distances, int64_t *labels,
                                     char *error, size_t error_capacity);

/** Sets the OpenMP thread count (`omp_set_num_threads`) for parallel regions started from the
 *  calling thread. `threads` must be ≥ 1. */
int vt_faiss_set_num_threads(int32_t threads, char *error, size_t error_capacity);

/** Writes `omp_get_max_threads()` as seen from the calling thread. */
int vt_faiss_get_max_threads(int32_t *out_threads, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#include "CFaissFloat.h"

#endif /* VT_CFAISS_H */
