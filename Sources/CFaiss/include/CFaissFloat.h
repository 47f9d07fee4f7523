/*
 * CFaissFloat: the float-vector part of the CFaiss shim (indexes over float32 vectors, spherical
 * k-means, PCA). Same conventions as CFaiss.h: `vt_faiss_` names, int status + error buffer,
 * destroy functions accept NULL, `threads` > 0 calls omp_set_num_threads on the calling thread.
 *
 * Vectors are float32, row-major, `dimension` floats each. Indexes use the inner-product metric:
 * on L2-normalised vectors the score is the cosine similarity, larger is closer. Every index is a
 * `faiss::IndexIDMap2` around an index made by `faiss::index_factory` (e.g. "Flat",
 * "IVF1024,Flat", "HNSW32,Flat"), so vectors carry the caller's int64 ids.
 */
#ifndef VT_CFAISS_FLOAT_H
#define VT_CFAISS_FLOAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_faiss_float_index vt_faiss_float_index;

/** Range-search result: matches of query q are `labels[lims[q] ..< lims[q+1]]` with inner
 *  products `scores[...]`, in no particular order. Free with `vt_faiss_float_range_result_free`. */
typedef struct vt_faiss_float_range_result {
    int64_t query_count;
    int64_t *lims;
    int64_t *labels;
    float *scores;
} vt_faiss_float_range_result;

/** Creates an inner-product index from a factory description ("Flat", "IVF256,Flat", "HNSW32,Flat"). */
int vt_faiss_float_index_create(int32_t dimension, const char *description, vt_faiss_float_index **out_index,
                                char *error, size_t error_capacity);
void vt_faiss_float_index_destroy(vt_faiss_float_index *index);
/** Reads an index written by `vt_faiss_float_index_write`. */
int vt_faiss_float_index_read(const char *path, vt_faiss_float_index **out_index, char *error, size_t error_capacity);
int vt_faiss_float_index_write(const vt_faiss_float_index *index, const char *path, char *error, size_t error_capacity);
int32_t vt_faiss_float_index_dimension(const vt_faiss_float_index *index);
int64_t vt_faiss_float_index_count(const vt_faiss_float_index *index);
/** 1 when the index can take vectors (flat and HNSW always; IVF after training). */
int32_t vt_faiss_float_index_is_trained(const vt_faiss_float_index *index);
/** Trains (IVF: k-means for the coarse quantiser) on `count` vectors. */
int vt_faiss_float_index_train(vt_faiss_float_index *index, const float *vectors, int64_t count, int32_t threads,
                               char *error, size_t error_capacity);
/** Adds `count` vectors with the caller's ids (no rebuild; ids need not be contiguous). */
int vt_faiss_float_index_add(vt_faiss_float_index *index, const float *vectors, const int64_t *ids, int64_t count,
                             int32_t threads, char *error, size_t error_capacity);
/** Sets a search parameter through `faiss::ParameterSpace` ("nprobe", "efSearch"). */
int vt_faiss_float_index_set_parameter(vt_faiss_float_index *index, const char *name, double value,
                                       char *error, size_t error_capacity);
/** k-nearest-neighbour search: writes `query_count × k` scores (inner products, descending) and
 *  ids (-1 where fewer than k vectors were found). */
int vt_faiss_float_index_search(const vt_faiss_float_index *index, const float *queries, int64_t query_count,
                                int32_t k, int32_t threads, float *scores, int64_t *ids,
                                char *error, size_t error_capacity);
/** Every vector with inner product > `threshold` to each query (FAISS range search). */
int vt_faiss_float_index_range_search(const vt_faiss_float_index *index, const float *queries, int64_t query_count,
                                      float threshold, int32_t threads, vt_faiss_float_range_result *out_result,
                                      char *error, size_t error_capacity);
void vt_faiss_float_range_result_free(vt_faiss_float_range_result *result);

/** Spherical k-means (`faiss::Clustering`, spherical = true, inner product): writes `k × dimension`
 *  unit-norm centroids, the nearest centroid of each vector and its inner product. */
int vt_faiss_kmeans(const float *vectors, int64_t count, int32_t dimension, int32_t k, int32_t iterations,
                    int32_t seed, int32_t threads, float *centroids, int64_t *assignment, float *scores,
                    char *error, size_t error_capacity);

/** PCA (`faiss::PCAMatrix`, eigen-decomposition through LAPACK): projects `count` vectors onto
 *  their first `output_dimension` principal components; writes `count × output_dimension` floats
 *  and the `output_dimension` eigenvalues (variances), largest first. */
int vt_faiss_pca(const float *vectors, int64_t count, int32_t dimension, int32_t output_dimension,
                 float *projected, float *eigenvalues, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
