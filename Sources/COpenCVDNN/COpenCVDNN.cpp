// COpenCVDNN: see include/COpenCVDNN.h for the contract.
#include "COpenCVDNN.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

struct vt_dnn_net {
    cv::dnn::Net net;
    std::vector<std::string> outputNames;
};

struct vt_dnn_tensor {
    std::vector<int32_t> shape;
    std::vector<float> data;
};

struct vt_dnn_outputs {
    std::vector<vt_dnn_tensor> tensors;
};

namespace {

void writeError(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t n = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

template <typename Body>
int guarded(char *error, size_t capacity, Body body) {
    try {
        return body();
    } catch (const cv::Exception &e) {
        writeError(error, capacity, e.what());
        return VT_DNN_LIBRARY_ERROR;
    } catch (const std::bad_alloc &) {
        writeError(error, capacity, "out of memory");
        return VT_DNN_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        writeError(error, capacity, e.what());
        return VT_DNN_LIBRARY_ERROR;
    } catch (...) {
        writeError(error, capacity, "unknown C++ exception");
        return VT_DNN_UNKNOWN_ERROR;
    }
}

}  // namespace

extern "C" {

int vt_dnn_net_load(const char *model_path, const char *config_path, int32_t format,
                    vt_dnn_net **out_net, char *error, size_t error_capacity) {
    if (model_path == nullptr || out_net == nullptr) {
        writeError(error, error_capacity, "model_path and out_net must not be NULL");
        return VT_DNN_INVALID_ARGUMENT;
    }
    *out_net = nullptr;
    return guarded(error, error_capacity, [&]() {
        cv::dnn::Net net;
        if (format == VT_DNN_FORMAT_ONNX) {
            net = cv::dnn::readNetFromONNX(model_path);
        } else if (format == VT_DNN_FORMAT_TENSORFLOW) {
            net = cv::dnn::readNetFromTensorflow(model_path, config_path ? config_path : "");
        } else {
            writeError(error, error_capacity, "unknown model format " + std::to_string(format));
            return VT_DNN_INVALID_ARGUMENT;
        }
        if (net.empty()) {
            writeError(error, error_capacity, std::string("OpenCV loaded an empty network from ") + model_path);
            return VT_DNN_LIBRARY_ERROR;
        }
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        auto *handle = new vt_dnn_net{net, net.getUnconnectedOutLayersNames()};
        *out_net = handle;
        return VT_DNN_OK;
    });
}

void vt_dnn_net_destroy(vt_dnn_net *net) { delete net; }

void vt_dnn_set_threads(int32_t threads) { cv::setNumThreads(threads); }

int32_t vt_dnn_get_threads(void) { return cv::getNumThreads(); }

int32_t vt_dnn_net_output_count(const vt_dnn_net *net) {
    return net ? static_cast<int32_t>(net->outputNames.size()) : 0;
}

int32_t vt_dnn_net_output_name(const vt_dnn_net *net, int32_t index, char *buffer, size_t capacity) {
    if (net == nullptr || index < 0 || static_cast<size_t>(index) >= net->outputNames.size()) return -1;
    const std::string &name = net->outputNames[static_cast<size_t>(index)];
    writeError(buffer, capacity, name);
    return static_cast<int32_t>(name.size());
}

int vt_dnn_net_forward(vt_dnn_net *net, const char *input_name, const float *data,
                       const int32_t *shape, int32_t rank, const char *const *output_names,
                       int32_t output_count, vt_dnn_outputs **out_outputs, char *error,
                       size_t error_capacity) {
    if (net == nullptr || data == nullptr || shape == nullptr || out_outputs == nullptr) {
        writeError(error, error_capacity, "net, data, shape and out_outputs must not be NULL");
        return VT_DNN_INVALID_ARGUMENT;
    }
    if (rank < 1 || rank > 8) {
        writeError(error, error_capacity, "input rank " + std::to_string(rank) + " is not in 1...8");
        return VT_DNN_INVALID_ARGUMENT;
    }
    if (output_count < 0 || (output_count > 0 && output_names == nullptr)) {
        writeError(error, error_capacity, "output_names must hold output_count names");
        return VT_DNN_INVALID_ARGUMENT;
    }
    *out_outputs = nullptr;
    std::vector<int> sizes;
    for (int32_t i = 0; i < rank; i++) {
        if (shape[i] <= 0) {
            writeError(error, error_capacity, "input extent " + std::to_string(i) + " is " + std::to_string(shape[i]));
            return VT_DNN_INVALID_ARGUMENT;
        }
        sizes.push_back(shape[i]);
    }
    return guarded(error, error_capacity, [&]() {
        // The Mat wraps the caller's buffer; setInput copies it into the network's own blob.
        cv::Mat input(rank, sizes.data(), CV_32F, const_cast<float *>(data));
        net->net.setInput(input, input_name ? input_name : "");
        std::vector<std::string> names;
        if (output_count == 0) {
            names = net->outputNames;
        } else {
            for (int32_t i = 0; i < output_count; i++) names.emplace_back(output_names[i]);
        }
        std::vector<cv::Mat> blobs;
        net->net.forward(blobs, names);
        auto *result = new vt_dnn_outputs();
        for (const cv::Mat &blob : blobs) {
            vt_dnn_tensor tensor;
            cv::Mat m = blob;
            if (m.type() != CV_32F) m.convertTo(m, CV_32F);
            if (!m.isContinuous()) m = m.clone();
            for (int d = 0; d < m.dims; d++) tensor.shape.push_back(m.size[d]);
            const float *begin = m.ptr<float>();
            tensor.data.assign(begin, begin + m.total());
            result->tensors.push_back(std::move(tensor));
        }
        *out_outputs = result;
        return VT_DNN_OK;
    });
}

int32_t vt_dnn_outputs_count(const vt_dnn_outputs *outputs) {
    return outputs ? static_cast<int32_t>(outputs->tensors.size()) : 0;
}

static const vt_dnn_tensor *tensorAt(const vt_dnn_outputs *outputs, int32_t index) {
    if (outputs == nullptr || index < 0 || static_cast<size_t>(index) >= outputs->tensors.size()) return nullptr;
    return &outputs->tensors[static_cast<size_t>(index)];
}

int32_t vt_dnn_outputs_rank(const vt_dnn_outputs *outputs, int32_t index) {
    const vt_dnn_tensor *t = tensorAt(outputs, index);
    return t ? static_cast<int32_t>(t->shape.size()) : 0;
}

const int32_t *vt_dnn_outputs_shape(const vt_dnn_outputs *outputs, int32_t index) {
    const vt_dnn_tensor *t = tensorAt(outputs, index);
    return t ? t->shape.data() : nullptr;
}

int64_t vt_dnn_outputs_element_count(const vt_dnn_outputs *outputs, int32_t index) {
    const vt_dnn_tensor *t = tensorAt(outputs, index);
    return t ? static_cast<int64_t>(t->data.size()) : 0;
}

const float *vt_dnn_outputs_data(const vt_dnn_outputs *outputs, int32_t index) {
    const vt_dnn_tensor *t = tensorAt(outputs, index);
    return t ? t->data.data() : nullptr;
}

void vt_dnn_outputs_destroy(vt_dnn_outputs *outputs) { delete outputs; }

}  // extern "C"
