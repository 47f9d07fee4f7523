/*
 * COpenCVDNN: a plain-C shim over OpenCV 4.6's DNN module (Debian `libopencv-dev`). Swift never sees
 * a C++ type; this header is the whole contract.
 *
 * Conventions
 * - Every name is prefixed `vt_dnn_`. Handles are opaque; each `load`/`forward` result has one
 *   `destroy`.
 * - Every function that can fail returns an int status (`VT_DNN_OK` = 0) and, on failure, writes a
 *   NUL-terminated message (the cv::Exception's what(), or the argument that was wrong) into
 *   `error[0 ..< error_capacity]`, truncated if needed. Destroy functions accept NULL.
 * - Tensors are float32, row-major (C order), with their shape given as `rank` int32 extents
 *   (for images NCHW: batch, channels, height, width).
 * - A `vt_dnn_net` is NOT thread-safe (cv::dnn::Net keeps per-forward buffers): callers serialise
 *   `vt_dnn_net_forward` on one handle. Different handles may run concurrently.
 */
#ifndef VT_COPENCVDNN_H
#define VT_COPENCVDNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_DNN_OK 0
/** An argument was out of range (message names it). */
#define VT_DNN_INVALID_ARGUMENT 1
/** OpenCV threw a cv::Exception (or another std::exception); the message is its what(). */
#define VT_DNN_LIBRARY_ERROR 2
/** std::bad_alloc. */
#define VT_DNN_OUT_OF_MEMORY 3
/** Something other than a std::exception was thrown. */
#define VT_DNN_UNKNOWN_ERROR 4

/** Opaque handle on a loaded network (`cv::dnn::Net`, OpenCV backend, CPU target). */
typedef struct vt_dnn_net vt_dnn_net;
/** Opaque handle on the outputs of one forward pass (owned copies of the output blobs). */
typedef struct vt_dnn_outputs vt_dnn_outputs;

/** Model file formats. */
#define VT_DNN_FORMAT_ONNX 0
/** TensorFlow frozen graph (.pb); `config_path` may name a .pbtxt or be NULL. */
#define VT_DNN_FORMAT_TENSORFLOW 1

/** Loads a model file (`cv::dnn::readNetFromONNX` / `readNetFromTensorflow`). */
int vt_dnn_net_load(const char *model_path, const char *config_path, int32_t format,
                    vt_dnn_net **out_net, char *error, size_t error_capacity);

/** Frees the network. NULL is ignored. */
void vt_dnn_net_destroy(vt_dnn_net *net);

/** Sets OpenCV's worker-thread count for the whole process (`cv::setNumThreads`; 0 = sequential,
 *  negative = OpenCV's default). */
void vt_dnn_set_threads(int32_t threads);

/** Returns OpenCV's current worker-thread count (`cv::getNumThreads`). */
int32_t vt_dnn_get_threads(void);

/** Writes the number of unconnected output layers (the network's outputs). */
int32_t vt_dnn_net_output_count(const vt_dnn_net *net);

/** Copies the name of output `index` (NUL-terminated, truncated to `capacity`). Returns the full
 *  length, or -1 when `index` is out of range. */
int32_t vt_dnn_net_output_name(const vt_dnn_net *net, int32_t index, char *buffer, size_t capacity);

/** Runs one forward pass: sets the input blob `input_name` (NULL or "" = the first input) to the
 *  float32 tensor `data` with the given shape, then computes `output_names[0 ..< output_count]`
 *  (`output_count` 0 = every unconnected output). The outputs are copied into `*out_outputs`. */
int vt_dnn_net_forward(vt_dnn_net *net, const char *input_name, const float *data,
                       const int32_t *shape, int32_t rank, const char *const *output_names,
                       int32_t output_count, vt_dnn_outputs **out_outputs, char *error,
                       size_t error_capacity);

/** Number of tensors in a forward result. */
int32_t vt_dnn_outputs_count(const vt_dnn_outputs *outputs);
/** Rank of tensor `index` (0 when out of range). */
int32_t vt_dnn_outputs_rank(const vt_dnn_outputs *outputs, int32_t index);
/** Shape of tensor `index` (`rank` extents; NULL when out of range). Owned by `outputs`. */
const int32_t *vt_dnn_outputs_shape(const vt_dnn_outputs *outputs, int32_t index);
/** Number of float elements of tensor `index`. */
int64_t vt_dnn_outputs_element_count(const vt_dnn_outputs *outputs, int32_t index);
/** Elements of tensor `index`, row-major (NULL when out of range). Owned by `outputs`. */
const float *vt_dnn_outputs_data(const vt_dnn_outputs *outputs, int32_t index);
/** Frees a forward result. NULL is ignored. */
void vt_dnn_outputs_destroy(vt_dnn_outputs *outputs);

#ifdef __cplusplus
}
#endif

#endif
