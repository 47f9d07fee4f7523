#include "COpenCVQuality.h"

#include <opencv2/dnn_superres.hpp>

#include <cstring>
#include <mutex>
#include <string>

extern "C" int vt_dnn_superres_register_layers(char *error, size_t error_capacity) {
    static std::once_flag once;
    static int status = VT_QUALITY_OK;
    static std::string message;
    std::call_once(once, [] {
        try {
            cv::dnn_superres::DnnSuperResImpl registrar;
            (void)registrar;
        } catch (const std::exception &e) {
            status = VT_QUALITY_LIBRARY_ERROR;
            message = e.what();
        }
    });
    if (status != VT_QUALITY_OK && error != nullptr && error_capacity > 0) {
        size_t n = std::min(error_capacity - 1, message.size());
        std::memcpy(error, message.data(), n);
        error[n] = '\0';
    }
    return status;
}
