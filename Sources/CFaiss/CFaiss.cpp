// CFaiss: the C++ side of the plain-C shim declared in include/CFaiss.h.
// Every entry point catches every exception and turns it into a status code plus message.

#include "CFaiss.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <faiss/IndexBinary.h>
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>

// `omp.h` is not on Swift's clang include path; libgomp provides these symbols.
extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads(void);

struct vt_faiss_binary_index {
    std::unique_ptr<faiss::IndexBinary> index;
    // IndexBinaryMultiHash reads each table key as an unaligned 8-byte load starting at byte
    // (t·b)/8 of the code, which runs past the end of the last code of a buffer; codes handed
    // to it are copied into buffers padded with this many zero bytes.
    bool needs_padding = false;
};

namespace {

constexpr size_t kPaddingBytes = 8;
constexpr int64_t kAddChunk = 1 << 16;

void write_error(char *error, size_t capacity, const char *message) {
    if (error == nullptr || capacity == 0) {
        return;
    }
    size_t length = std::strlen(message);
    if (length >= capacity) {
        length = capacity - 1;
    }
    std::memcpy(error, message, length);
    error[length] = '\0';
}

int fail(char *error, size_t capacity, int status, const std::string &message) {
    write_error(error, capacity, message.c_str());
    return status;
}

// Runs `body` and maps exceptions to statuses.
template <class Body>
int guarded(char *error, size_t capacity, const char *operation, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &e) {
        return fail(error, capacity, VT_FAISS_OUT_OF_MEMORY,
                    std::string(operation) + ": out of memory (" + e.what() + ")");
    } catch (const std::exception &e) {
        return fail(error, capacity, VT_FAISS_LIBRARY_ERROR, std::string(operation) + ": " + e.what());
    } catch (...) {
        return fail(error, capacity, VT_FAISS_UNKNOWN_ERROR,
                    std::string(operation) + ": unknown C++ exception");
    }
}

void apply_threads(int32_t threads) {
    if (threads > 0) {
        omp_set_num_threads(threads);
    }
}

int check_dimension(int32_t dimension_bits, char *error, size_t capacity) {
    if (dimension_bits <= 0 || dimension_bits % 8 != 0) {
        return fail(error, capacity, VT_FAISS_INVALID_ARGUMENT,
                    "dimension_bits must be a positive multiple of 8, got " +
                        std::to_string(dimension_bits));
    }
    return VT_FAISS_OK;
}

// The query bytes FAISS may read: the codes themselves, or a zero-padded copy of them.
const uint8_t *searchable_queries(const vt_faiss_binary_index *handle, const uint8_t *queries,
                                  int64_t query_count, std::vector<uint8_t> &storage) {
    if (!handle->needs_padding) {
        return queries;
    }
    size_t bytes = size_t(query_count) * size_t(handle->index->code_size);
    storage.assign(bytes + kPaddingBytes, 0);
    std::memcpy(storage.data(), queries, bytes);
    return storage.data();
}

} // namespace

extern "C" {

int vt_faiss_binary_index_create_flat(int32_t dimension_bits, vt_faiss_binary_index **out_index,
                                      char *error, size_t error_capacity) {
    if (out_index == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "out_index is NULL");
    }
    *out_index = nullptr;
    if (int status = check_dimension(dimension_bits, error, error_capacity)) {
        return status;
    }
    return guarded(error, error_capacity, "IndexBinaryFlat", [&] {
        auto handle = std::make_unique<vt_faiss_binary_index>();
        handle->index = std::make_unique<faiss::IndexBinaryFlat>(dimension_bits);
        *out_index = handle.release();
        return VT_FAISS_OK;
    });
}

int vt_faiss_binary_index_create_multihash(int32_t dimension_bits, int32_t tables,
                                           int32_t bits_per_table, int32_t flips,
                                           vt_faiss_binary_index **out_index,
                                           char *error, size_t error_capacity) {
    if (out_index == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "out_index is NULL");
    }
    *out_index = nullptr;
    if (int status = check_dimension(dimension_bits, error, error_capacity)) {
        return status;
    }
    // FAISS computes the key mask as (1 << b) - 1, undefined for b = 64, and reads table t's key
    // with one 8-byte load shifted by (t·b) mod 8 bits, so (t·b mod 8) + b must not exceed 64.
    bool keys_fit = tables >= 1 && bits_per_table >= 1 && bits_per_table <= 63;
    for (int32_t t = 0; keys_fit && t < tables; t++) {
        keys_fit = (int64_t(t) * bits_per_table) % 8 + bits_per_table <= 64;
    }
    if (!keys_fit || int64_t(tables) * bits_per_table > dimension_bits || flips < 0 ||
        flips > bits_per_table) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT,
                    "multi-hash parameters out of range: tables=" + std::to_string(tables) +
                        " bits_per_table=" + std::to_string(bits_per_table) +
                        " flips=" + std::to_string(flips) + " for " +
                        std::to_string(dimension_bits) +
                        "-bit codes (need tables >= 1, 1 <= bits_per_table <= 63, "
                        "(t*bits_per_table mod 8) + bits_per_table <= 64 for every table t, "
                        "tables*bits_per_table <= dimension_bits, 0 <= flips <= bits_per_table)");
    }
    return guarded(error, error_capacity, "IndexBinaryMultiHash", [&] {
        auto handle = std::make_unique<vt_faiss_binary_index>();
        auto index = std::make_unique<faiss::IndexBinaryMultiHash>(dimension_bits, tables,
                                                                   bits_per_table);
        index->nflip = flips;
        handle->index = std::move(index);
        handle->needs_padding = true;
        *out_index = handle.release();
        return VT_FAISS_OK;
    });
}

void vt_faiss_binary_index_destroy(vt_faiss_binary_index *index) {
    delete index;
}

int vt_faiss_binary_index_add(vt_faiss_binary_index *index, const uint8_t *codes, int64_t count,
                              char *error, size_t error_capacity) {
    if (index == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "index is NULL");
    }
    if (count < 0 || (count > 0 && codes == nullptr)) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT,
                    "add: need count >= 0 and codes != NULL, got count=" + std::to_string(count));
    }
    if (count == 0) {
        return VT_FAISS_OK;
    }
    return guarded(error, error_capacity, "add", [&] {
        faiss::IndexBinary &target = *index->index;
        if (!index->needs_padding) {
            target.add(count, codes);
            return VT_FAISS_OK;
        }
        // Copy in chunks so that padding never doubles the caller's memory.
        size_t code_size = size_t(target.code_size);
        std::vector<uint8_t> chunk;
        for (int64_t start = 0; start < count; start += kAddChunk) {
            int64_t n = std::min(kAddChunk, count - start);
            chunk.assign(size_t(n) * code_size + kPaddingBytes, 0);
            std::memcpy(chunk.data(), codes + size_t(start) * code_size, size_t(n) * code_size);
            target.add(n, chunk.data());
        }
        return VT_FAISS_OK;
    });
}

int vt_faiss_binary_index_count(const vt_faiss_binary_index *index, int64_t *out_count,
                                char *error, size_t error_capacity) {
    if (index == nullptr || out_count == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "index or out_count is NULL");
    }
    *out_count = int64_t(index->index->ntotal);
    return VT_FAISS_OK;
}

int vt_faiss_binary_index_range_search(const vt_faiss_binary_index *index, const uint8_t *queries,
                                       int64_t query_count, int32_t radius, int32_t threads,
                                       vt_faiss_range_result *out_result,
                                       char *error, size_t error_capacity) {
    if (out_result == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "out_result is NULL");
    }
    *out_result = vt_faiss_range_result{0, nullptr, nullptr, nullptr};
    if (index == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "index is NULL");
    }
    if (query_count < 0 || (query_count > 0 && queries == nullptr)) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT,
                    "range_search: need query_count >= 0 and queries != NULL, got query_count=" +
                        std::to_string(query_count));
    }
    if (radius < 0) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT,
                    "range_search: radius must be >= 0, got " + std::to_string(radius));
    }
    return guarded(error, error_capacity, "range_search", [&] {
        faiss::RangeSearchResult result(query_count);
        if (query_count > 0) {
            std::vector<uint8_t> padded;
            const uint8_t *x = searchable_queries(index, queries, query_count, padded);
            apply_threads(threads);
            index->index->range_search(query_count, x, radius, &result);
        }
        size_t total = result.lims[query_count];
        auto *lims = static_cast<int64_t *>(std::malloc(sizeof(int64_t) * size_t(query_count + 1)));
        auto *labels = static_cast<int64_t *>(std::malloc(sizeof(int64_t) * std::max<size_t>(total, 1)));
        auto *distances = static_cast<int32_t *>(std::malloc(sizeof(int32_t) * std::max<size_t>(total, 1)));
        if (lims == nullptr || labels == nullptr || distances == nullptr) {
            std::free(lims);
            std::free(labels);
            std::free(distances);
            throw std::bad_alloc();
        }
        for (int64_t q = 0; q <= query_count; q++) {
            lims[q] = int64_t(result.lims[q]);
        }
        for (size_t i = 0; i < total; i++) {
            labels[i] = int64_t(result.labels[i]);
            distances[i] = int32_t(result.distances[i]);
        }
        *out_result = vt_faiss_range_result{query_count, lims, labels, distances};
        return VT_FAISS_OK;
    });
}

void vt_faiss_range_result_free(vt_faiss_range_result *result) {
    if (result == nullptr) {
        return;
    }
    std::free(result->lims);
    std::free(result->labels);
    std::free(result->distances);
    *result = vt_faiss_range_result{0, nullptr, nullptr, nullptr};
}

int vt_faiss_binary_index_knn_search(const vt_faiss_binary_index *index, const uint8_t *queries,
                                     int64_t query_count, int64_t k, int32_t threads,
                                     int32_t *distances, int64_t *labels,
                                     char *error, size_t error_capacity) {
    if (index == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "index is NULL");
    }
    if (query_count < 0 || k < 1 ||
        (query_count > 0 && (queries == nullptr || distances == nullptr || labels == nullptr))) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT,
                    "knn_search: need query_count >= 0, k >= 1 and non-NULL arrays, got query_count=" +
                        std::to_string(query_count) + " k=" + std::to_string(k));
    }
    if (query_count == 0) {
        return VT_FAISS_OK;
    }
    return guarded(error, error_capacity, "knn_search", [&] {
        std::vector<uint8_t> padded;
        const uint8_t *x = searchable_queries(index, queries, query_count, padded);
        // FAISS leaves unfilled slots as they were initialised by its heap (label -1) for the
        // flat index; make that explicit for every index type.
        std::fill(labels, labels + size_t(query_count) * size_t(k), int64_t(-1));
        apply_threads(threads);
        index->index->search(query_count, x, k, distances, labels);
        return VT_FAISS_OK;
    });
}

int vt_faiss_set_num_threads(int32_t threads, char *error, size_t error_capacity) {
    if (threads < 1) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT,
                    "threads must be >= 1, got " + std::to_string(threads));
    }
    omp_set_num_threads(threads);
    return VT_FAISS_OK;
}

int vt_faiss_get_max_threads(int32_t *out_threads, char *error, size_t error_capacity) {
    if (out_threads == nullptr) {
        return fail(error, error_capacity, VT_FAISS_INVALID_ARGUMENT, "out_threads is NULL");
    }
    *out_threads = int32_t(omp_get_max_threads());
    return VT_FAISS_OK;
}

} // extern "C"
