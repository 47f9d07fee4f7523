#include "COpenCVQuality.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/quality.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <vector>

struct vt_quality_brisque {
    cv::Ptr<cv::quality::QualityBRISQUE> model;
};

namespace {

void write_error(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t n = std::min(capacity - 1, message.size());
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

template <typename Body>
int guarded(char *error, size_t capacity, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        write_error(error, capacity, "out of memory");
        return VT_QUALITY_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        write_error(error, capacity, e.what());
        return VT_QUALITY_LIBRARY_ERROR;
    } catch (...) {
        write_error(error, capacity, "unknown exception");
        return VT_QUALITY_UNKNOWN_ERROR;
    }
}

bool valid_image(const void *pixels, int32_t width, int32_t height, int32_t channels, char *error, size_t capacity) {
    if (pixels == nullptr || width < 1 || height < 1 || channels < 1 || channels > 4) {
        write_error(error, capacity, "image must be non-empty with 1 to 4 channels, got " + std::to_string(width) + "x" +
                                         std::to_string(height) + "x" + std::to_string(channels));
        return false;
    }
    return true;
}

// Lanczos kernel with a = 3.
double lanczos3(double x) {
    x = std::fabs(x);
    if (x < 1e-12) return 1.0;
    if (x >= 3.0) return 0.0;
    const double px = M_PI * x;
    return 3.0 * std::sin(px) * std::sin(px / 3.0) / (px * px);
}

struct Taps {
    std::vector<int> first;
    std::vector<int> count;
    std::vector<double> weights;  // out_size × max_count
    int max_count = 0;
};

Taps make_taps(int in_size, int out_size) {
    Taps taps;
    const double scale = double(in_size) / double(out_size);
    const double filter_scale = std::max(scale, 1.0);
    const double support = 3.0 * filter_scale;
    taps.max_count = int(std::ceil(support)) * 2 + 3;
    taps.first.resize(out_size);
    taps.count.resize(out_size);
    taps.weights.assign(size_t(out_size) * taps.max_count, 0.0);
    for (int i = 0; i < out_size; ++i) {
        const double centre = (i + 0.5) * scale;
        int lo = int(std::floor(centre - support));
        int hi = int(std::ceil(centre + support));
        lo = std::max(lo, 0);
        hi = std::min(hi, in_size);
        int n = std::min(hi - lo, taps.max_count);
        double total = 0;
        for (int k = 0; k < n; ++k) {
            double w = lanczos3((lo + k - centre + 0.5) / filter_scale);
            taps.weights[size_t(i) * taps.max_count + k] = w;
            total += w;
        }
        if (total != 0)
            for (int k = 0; k < n; ++k) taps.weights[size_t(i) * taps.max_count + k] /= total;
        taps.first[i] = lo;
        taps.count[i] = n;
    }
    return taps;
}

}  // namespace

extern "C" {

int vt_quality_brisque_load(const char *model_path, const char *range_path, vt_quality_brisque **out, char *error,
                            size_t error_capacity) {
    if (out == nullptr || model_path == nullptr || range_path == nullptr) {
        write_error(error, error_capacity, "model path, range path and output must not be NULL");
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    *out = nullptr;
    return guarded(error, error_capacity, [&] {
        auto handle = new vt_quality_brisque();
        try {
            handle->model = cv::quality::QualityBRISQUE::create(model_path, range_path);
        } catch (...) {
            delete handle;
            throw;
        }
        if (handle->model.empty()) {
            delete handle;
            write_error(error, error_capacity, "QualityBRISQUE::create returned no model");
            return VT_QUALITY_LIBRARY_ERROR;
        }
        *out = handle;
        return VT_QUALITY_OK;
    });
}

void vt_quality_brisque_destroy(vt_quality_brisque *handle) { delete handle; }

int vt_quality_brisque_score(vt_quality_brisque *handle, const uint8_t *pixels, int32_t width, int32_t height,
                             int32_t channels, double *out_score, char *error, size_t error_capacity) {
    if (handle == nullptr || out_score == nullptr) {
        write_error(error, error_capacity, "handle and output must not be NULL");
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    if (!valid_image(pixels, width, height, channels, error, error_capacity)) return VT_QUALITY_INVALID_ARGUMENT;
    if (channels != 1 && channels != 3) {
        write_error(error, error_capacity, "BRISQUE needs 1 or 3 channels, got " + std::to_string(channels));
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&] {
        cv::Mat image(height, width, CV_8UC(channels), const_cast<uint8_t *>(pixels));
        cv::Mat input;
        // QualityBRISQUE converts BGR to grey; give it BGR.
        if (channels == 3) cv::cvtColor(image, input, cv::COLOR_RGB2BGR); else input = image;
        cv::Scalar score = handle->model->compute(input);
        *out_score = score[0];
        return VT_QUALITY_OK;
    });
}

int vt_quality_laplacian_variance(const uint8_t *grey, int32_t width, int32_t height, double *out_variance,
                                  char *error, size_t error_capacity) {
    if (out_variance == nullptr) {
        write_error(error, error_capacity, "output must not be NULL");
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    if (!valid_image(grey, width, height, 1, error, error_capacity)) return VT_QUALITY_INVALID_ARGUMENT;
    return guarded(error, error_capacity, [&] {
        cv::Mat image(height, width, CV_8UC1, const_cast<uint8_t *>(grey));
        cv::Mat laplacian;
        cv::Laplacian(image, laplacian, CV_64F, 1);
        cv::Scalar mean, deviation;
        cv::meanStdDev(laplacian, mean, deviation);
        *out_variance = deviation[0] * deviation[0];
        return VT_QUALITY_OK;
    });
}

int vt_quality_psnr_ssim(const float *reference, const float *test, int32_t width, int32_t height, int32_t border,
                         double *out_psnr, double *out_ssim, char *error, size_t error_capacity) {
    if (reference == nullptr || test == nullptr || out_psnr == nullptr || out_ssim == nullptr) {
        write_error(error, error_capacity, "planes and outputs must not be NULL");
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    const int w = width - 2 * border, h = height - 2 * border;
    if (border < 0 || w < 11 || h < 11) {
        write_error(error, error_capacity, "plane " + std::to_string(width) + "x" + std::to_string(height) +
                                               " less a border of " + std::to_string(border) +
                                               " is smaller than the 11x11 SSIM window");
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&] {
        cv::Rect crop(border, border, w, h);
        cv::Mat a, b;
        cv::Mat(height, width, CV_32FC1, const_cast<float *>(reference))(crop).convertTo(a, CV_64F);
        cv::Mat(height, width, CV_32FC1, const_cast<float *>(test))(crop).convertTo(b, CV_64F);
        cv::Mat difference = a - b;
        const double mse = difference.dot(difference) / double(w * h);
        *out_psnr = mse == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(255.0 * 255.0 / mse);

        const double c1 = std::pow(0.01 * 255.0, 2), c2 = std::pow(0.03 * 255.0, 2);
        auto blur = [](const cv::Mat &in) {
            cv::Mat out;
            cv::GaussianBlur(in, out, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REFLECT);
            return out;
        };
        cv::Mat mu_a = blur(a), mu_b = blur(b);
        cv::Mat aa = blur(a.mul(a)) - mu_a.mul(mu_a);
        cv::Mat bb = blur(b.mul(b)) - mu_b.mul(mu_b);
        cv::Mat ab = blur(a.mul(b)) - mu_a.mul(mu_b);
        cv::Mat numerator = (2 * mu_a.mul(mu_b) + c1).mul(2 * ab + c2);
        cv::Mat denominator = (mu_a.mul(mu_a) + mu_b.mul(mu_b) + c1).mul(aa + bb + c2);
        cv::Mat map;
        cv::divide(numerator, denominator, map);
        // Only positions whose whole window lies inside the plane (radius 5).
        cv::Rect inner(5, 5, w - 10, h - 10);
        *out_ssim = cv::mean(map(inner))[0];
        return VT_QUALITY_OK;
    });
}

int vt_quality_lanczos3(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels, int32_t out_width,
                        int32_t out_height, uint8_t *out, char *error, size_t error_capacity) {
    if (!valid_image(pixels, width, height, channels, error, error_capacity)) return VT_QUALITY_INVALID_ARGUMENT;
    if (out == nullptr || out_width < 1 || out_height < 1) {
        write_error(error, error_capacity, "output must be non-empty");
        return VT_QUALITY_INVALID_ARGUMENT;
    }
    return guarded(error, error_capacity, [&] {
        const Taps horizontal = make_taps(width, out_width);
        const Taps vertical = make_taps(height, out_height);
        // Horizontal pass into float rows, then vertical pass.
        std::vector<float> middle(size_t(height) * out_width * channels);
        for (int y = 0; y < height; ++y) {
            const uint8_t *row = pixels + size_t(y) * width * channels;
            float *dst = middle.data() + size_t(y) * out_width * channels;
            for (int x = 0; x < out_width; ++x) {
                const double *w = horizontal.weights.data() + size_t(x) * horizontal.max_count;
                for (int c = 0; c < channels; ++c) {
                    double sum = 0;
                    for (int k = 0; k < horizontal.count[x]; ++k)
                        sum += w[k] * row[size_t(horizontal.first[x] + k) * channels + c];
                    dst[size_t(x) * channels + c] = float(sum);
                }
            }
        }
        const size_t row_length = size_t(out_width) * channels;
        for (int y = 0; y < out_height; ++y) {
            const double *w = vertical.weights.data() + size_t(y) * vertical.max_count;
            uint8_t *dst = out + size_t(y) * row_length;
            for (size_t i = 0; i < row_length; ++i) {
                double sum = 0;
                for (int k = 0; k < vertical.count[y]; ++k)
                    sum += w[k] * middle[size_t(vertical.first[y] + k) * row_length + i];
                dst[i] = cv::saturate_cast<uint8_t>(sum);
            }
        }
        return VT_QUALITY_OK;
    });
}

int vt_quality_add_gaussian_noise(uint8_t *pixels, int32_t width, int32_t height, int32_t channels, double sigma,
                                  uint64_t seed, char *error, size_t error_capacity) {
    if (!valid_image(pixels, width, height, channels, error, error_capacity)) return VT_QUALITY_INVALID_ARGUMENT;
    return guarded(error, error_capacity, [&] {
        cv::Mat image(height, width, CV_8UC(channels), pixels);
        cv::Mat noise(height, width, CV_32FC(channels));
        cv::RNG rng(seed);
        rng.fill(noise, cv::RNG::NORMAL, 0.0, sigma);
        cv::Mat sum;
        image.convertTo(sum, CV_32FC(channels));
        sum += noise;
        sum.convertTo(image, CV_8UC(channels));
        return VT_QUALITY_OK;
    });
}

int vt_quality_gaussian_blur(uint8_t *pixels, int32_t width, int32_t height, int32_t channels, double sigma,
                             char *error, size_t error_capacity) {
    if (!valid_image(pixels, width, height, channels, error, error_capacity)) return VT_QUALITY_INVALID_ARGUMENT;
    return guarded(error, error_capacity, [&] {
        cv::Mat image(height, width, CV_8UC(channels), pixels);
        cv::Mat blurred;
        cv::GaussianBlur(image, blurred, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT_101);
        blurred.copyTo(image);
        return VT_QUALITY_OK;
    });
}

}  // extern "C"
