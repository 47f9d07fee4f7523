// CFaissFloat: float-vector indexes, spherical k-means and PCA; see include/CFaissFloat.h.
#include "CFaissFloat.h"
#include "CFaiss.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <faiss/AutoTune.h>
#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/VectorTransform.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

extern "C" void omp_set_num_threads(int);

// `IndexIDMap` (ids beside the inner index), not `IndexIDMap2`: Vitrine never reconstructs or
// removes by id, and IndexIDMap2's in-memory reverse map (a std::unordered_map, about 40–48 bytes
// per vector) would add 2 GB or more at 5·10^7 vectors. Index files written as IndexIDMap2 by
// earlier versions still open (IndexIDMap2 is an IndexIDMap).
struct vt_faiss_float_index {
    std::unique_ptr<faiss::IndexIDMap> index;
};

namespace {

void write_error(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t n = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

template <class Body>
int guarded(char *error, size_t capacity, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        write_error(error, capacity, "out of memory");
        return VT_FAISS_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        write_error(error, capacity, e.what());
        return VT_FAISS_LIBRARY_ERROR;
    } catch (...) {
        write_error(error, capacity, "unknown C++ exception");
        return VT_FAISS_UNKNOWN_ERROR;
    }
}

void threads_for_call(int32_t threads) {
    if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace

extern "C" {

int vt_faiss_float_index_create(int32_t dimension, const char *description, vt_faiss_float_index **out_index,
                                char *error, size_t error_capacity) {
    if (dimension <= 0 || description == nullptr || out_index == nullptr) {
        write_error(error, error_capacity, "dimension must be > 0 and description/out_index non-NULL");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    *out_index = nullptr;
    return guarded(error, error_capacity, [&]() {
        faiss::Index *inner = faiss::index_factory(dimension, description, faiss::METRIC_INNER_PRODUCT);
        auto map = std::make_unique<faiss::IndexIDMap>(inner);
        map->own_fields = true;
        *out_index = new vt_faiss_float_index{std::move(map)};
        return VT_FAISS_OK;
    });
}

void vt_faiss_float_index_destroy(vt_faiss_float_index *index) { delete index; }

int vt_faiss_float_index_read(const char *path, vt_faiss_float_index **out_index, char *error, size_t error_capacity) {
    if (path == nullptr || out_index == nullptr) {
        write_error(error, error_capacity, "path and out_index must not be NULL");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    *out_index = nullptr;
    return guarded(error, error_capacity, [&]() {
        std::unique_ptr<faiss::Index> read(faiss::read_index(path));
        auto *map = dynamic_cast<faiss::IndexIDMap *>(read.get());
        if (map == nullptr) {
            write_error(error, error_capacity, std::string(path) + " is not a Vitrine float index (IndexIDMap)");
            return VT_FAISS_INVALID_ARGUMENT;
        }
        read.release();
        *out_index = new vt_faiss_float_index{std::unique_ptr<faiss::IndexIDMap>(map)};
        return VT_FAISS_OK;
    });
}

int vt_faiss_float_index_write(const vt_faiss_float_index *index, const char *path, char *error, size_t error_capacity) {
    if (index == nullptr || path == nullptr) {
        write_error(error, error_capacity, "index and path must not be NULL");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&]() {
        faiss::write_index(index->index.get(), path);
        return VT_FAISS_OK;
    });
}

int32_t vt_faiss_float_index_dimension(const vt_faiss_float_index *index) {
    return index ? int32_t(index->index->d) : 0;
}

int64_t vt_faiss_float_index_count(const vt_faiss_float_index *index) {
    return index ? int64_t(index->index->ntotal) : 0;
}

int32_t vt_faiss_float_index_is_trained(const vt_faiss_float_index *index) {
    return index && index->index->index->is_trained ? 1 : 0;
}

int vt_faiss_float_index_train(vt_faiss_float_index *index, const float *vectors, int64_t count, int32_t threads,
                               char *error, size_t error_capacity) {
    if (index == nullptr || vectors == nullptr || count <= 0) {
        write_error(error, error_capacity, "train needs an index and at least one vector");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&]() {
        threads_for_call(threads);
        index->index->train(count, vectors);
        return VT_FAISS_OK;
    });
}

int vt_faiss_float_index_add(vt_faiss_float_index *index, const float *vectors, const int64_t *ids, int64_t count,
                             int32_t threads, char *error, size_t error_capacity) {
    if (index == nullptr || (count > 0 && (vectors == nullptr || ids == nullptr)) || count < 0) {
        write_error(error, error_capacity, "add needs an index, vectors and ids");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    if (count == 0) return VT_FAISS_OK;
    return guarded(error, error_capacity, [&]() {
        threads_for_call(threads);
        index->index->add_with_ids(count, vectors, ids);
        return VT_FAISS_OK;
    });
}

int vt_faiss_float_index_set_parameter(vt_faiss_float_index *index, const char *name, double value,
                                       char *error, size_t error_capacity) {
    if (index == nullptr || name == nullptr) {
        write_error(error, error_capacity, "index and name must not be NULL");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&]() {
        faiss::ParameterSpace space;
        space.set_index_parameter(index->index->index, name, value);
        return VT_FAISS_OK;
    });
}

int vt_faiss_float_index_search(const vt_faiss_float_index *index, const float *queries, int64_t query_count,
                                int32_t k, int32_t threads, float *scores, int64_t *ids,
                                char *error, size_t error_capacity) {
    if (index == nullptr || queries == nullptr || scores == nullptr || ids == nullptr || k <= 0 || query_count < 0) {
        write_error(error, error_capacity, "search needs an index, queries, k > 0 and output buffers");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    if (query_count == 0) return VT_FAISS_OK;
    return guarded(error, error_capacity, [&]() {
        threads_for_call(threads);
        index->index->search(query_count, queries, k, scores, ids);
        return VT_FAISS_OK;
    });
}

int vt_faiss_float_index_range_search(const vt_faiss_float_index *index, const float *queries, int64_t query_count,
                                      float threshold, int32_t threads, vt_faiss_float_range_result *out_result,
                                      char *error, size_t error_capacity) {
    if (index == nullptr || queries == nullptr || out_result == nullptr || query_count <= 0) {
        write_error(error, error_capacity, "range search needs an index, queries and a result");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    std::memset(out_result, 0, sizeof(*out_result));
    return guarded(error, error_capacity, [&]() {
        threads_for_call(threads);
        faiss::RangeSearchResult result(query_count);
        index->index->range_search(query_count, queries, threshold, &result);
        size_t total = result.lims[query_count];
        auto *lims = static_cast<int64_t *>(std::malloc(sizeof(int64_t) * size_t(query_count + 1)));
        auto *labels = static_cast<int64_t *>(std::malloc(sizeof(int64_t) * (total > 0 ? total : 1)));
        auto *values = static_cast<float *>(std::malloc(sizeof(float) * (total > 0 ? total : 1)));
        if (lims == nullptr || labels == nullptr || values == nullptr) {
            std::free(lims);
            std::free(labels);
            std::free(values);
            throw std::bad_alloc();
        }
        for (int64_t q = 0; q <= query_count; q++) lims[q] = int64_t(result.lims[q]);
        for (size_t i = 0; i < total; i++) {
            labels[i] = result.labels[i];
            values[i] = result.distances[i];
        }
        out_result->query_count = query_count;
        out_result->lims = lims;
        out_result->labels = labels;
        out_result->scores = values;
        return VT_FAISS_OK;
    });
}

void vt_faiss_float_range_result_free(vt_faiss_float_range_result *result) {
    if (result == nullptr) return;
    std::free(result->lims);
    std::free(result->labels);
    std::free(result->scores);
    std::memset(result, 0, sizeof(*result));
}

int vt_faiss_kmeans(const float *vectors, int64_t count, int32_t dimension, int32_t k, int32_t iterations,
                    int32_t seed, int32_t threads, float *centroids, int64_t *assignment, float *scores,
                    char *error, size_t error_capacity) {
    if (vectors == nullptr || centroids == nullptr || assignment == nullptr || scores == nullptr ||
        dimension <= 0 || k <= 0 || count < k) {
        write_error(error, error_capacity,
                    "k-means needs k ≥ 1, at least k vectors (" + std::to_string(count) + " for k = " +
                        std::to_string(k) + ") and output buffers");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&]() {
        threads_for_call(threads);
        faiss::ClusteringParameters parameters;
        parameters.spherical = true;
        parameters.niter = iterations > 0 ? iterations : 25;
        parameters.seed = seed;
        parameters.verbose = false;
        parameters.max_points_per_centroid = 1 << 30;  // use every vector, no subsampling
        parameters.min_points_per_centroid = 1;        // small collections are valid input
        faiss::Clustering clustering(dimension, k, parameters);
        faiss::IndexFlatIP quantiser(dimension);
        clustering.train(count, vectors, quantiser);
        std::memcpy(centroids, clustering.centroids.data(), sizeof(float) * size_t(k) * size_t(dimension));
        quantiser.search(count, vectors, 1, scores, assignment);
        return VT_FAISS_OK;
    });
}

int vt_faiss_pca(const float *vectors, int64_t count, int32_t dimension, int32_t output_dimension,
                 float *projected, float *eigenvalues, char *error, size_t error_capacity) {
    if (vectors == nullptr || projected == nullptr || eigenvalues == nullptr || dimension <= 0 ||
        output_dimension <= 0 || output_dimension > dimension || count < 2) {
        write_error(error, error_capacity, "PCA needs ≥ 2 vectors and 1 ≤ output_dimension ≤ dimension");
        return VT_FAISS_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&]() {
        faiss::PCAMatrix pca(dimension, output_dimension, 0, false);
        pca.train(count, vectors);
        pca.apply_noalloc(count, vectors, projected);
        for (int32_t i = 0; i < output_dimension; i++) eigenvalues[i] = pca.eigenvalues[size_t(i)];
        return VT_FAISS_OK;
    });
}

}  // extern "C"
