/*
 * COpenCVQuality: a plain-C shim over OpenCV 4.6's contrib `quality` module (Debian
 * `libopencv-contrib-dev`) and a few imgproc operations the super-resolution evaluation needs.
 *
 * Conventions (as COpenCVDNN): every name is prefixed `vt_quality_`; functions that can fail
 * return an int status (`VT_QUALITY_OK` = 0) and write a NUL-terminated message into
 * `error[0 ..< error_capacity]`. Images are row-major, interleaved, `stride` = width × channels.
 * Every function is thread-safe (no shared state; a BRISQUE handle is used by one thread at a time).
 */
#ifndef VT_COPENCVQUALITY_H
#define VT_COPENCVQUALITY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VT_QUALITY_OK 0
#define VT_QUALITY_INVALID_ARGUMENT 1
#define VT_QUALITY_LIBRARY_ERROR 2
#define VT_QUALITY_OUT_OF_MEMORY 3
#define VT_QUALITY_UNKNOWN_ERROR 4

/** Opaque handle on a loaded BRISQUE model (`cv::quality::QualityBRISQUE`). */
typedef struct vt_quality_brisque vt_quality_brisque;

/** Loads a BRISQUE SVR model and its feature ranges (OpenCV YAML files). */
int vt_quality_brisque_load(const char *model_path, const char *range_path, vt_quality_brisque **out,
                            char *error, size_t error_capacity);
/** Frees a BRISQUE handle; NULL is ignored. */
void vt_quality_brisque_destroy(vt_quality_brisque *handle);

/** BRISQUE score (Mittal, Moorthy, Bovik 2012; about 0..100, lower = better) of an 8-bit image
 *  with 1 (grey) or 3 (RGB) channels. */
int vt_quality_brisque_score(vt_quality_brisque *handle, const uint8_t *pixels, int32_t width,
                             int32_t height, int32_t channels, double *out_score, char *error,
                             size_t error_capacity);

/** Variance of the Laplacian (3×3 aperture, `cv::Laplacian` ksize 1, float64) of an 8-bit grey
 *  image: a sharpness measure (Pech-Pacheco et al. 2000). */
int vt_quality_laplacian_variance(const uint8_t *grey, int32_t width, int32_t height, double *out_variance,
                                  char *error, size_t error_capacity);

/** PSNR (dB, peak 255) and mean SSIM (Wang et al. 2004: 11×11 Gaussian window σ 1.5, K1 0.01,
 *  K2 0.03, L 255) of two float planes of the same size, after excluding `border` pixels on every
 *  side. SSIM is averaged over the window positions that lie wholly inside the (cropped) plane,
 *  as scikit-image's `structural_similarity(gaussian_weights=True, use_sample_covariance=False)`
 *  does. Identical planes give PSNR +inf. */
int vt_quality_psnr_ssim(const float *reference, const float *test, int32_t width, int32_t height,
                         int32_t border, double *out_psnr, double *out_ssim, char *error,
                         size_t error_capacity);

/** Separable Lanczos3 resampling (a = 3, kernel widened by the factor when downsampling, sample
 *  centres at (x + 0.5) · in/out, taps outside the image dropped and the rest renormalised; the definition of Pillow's
 *  `Image.LANCZOS`) of an 8-bit image with `channels` interleaved channels to exactly
 *  `out_width × out_height`; `out` holds out_width × out_height × channels bytes. libvips 8.14
 *  upsamples with its bicubic interpolator whatever kernel is asked, so the Lanczos3 baseline
 *  needs this. */
int vt_quality_lanczos3(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                        int32_t out_width, int32_t out_height, uint8_t *out, char *error,
                        size_t error_capacity);

/** Adds zero-mean Gaussian noise (standard deviation `sigma`, 0..255 scale, seeded
 *  `cv::RNG(seed)`) to an 8-bit image in place, saturating (test fixtures for the quality checks). */
int vt_quality_add_gaussian_noise(uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                                  double sigma, uint64_t seed, char *error, size_t error_capacity);

/** Gaussian blur (`cv::GaussianBlur`, kernel 0 = from sigma, reflect-101 borders) in place. */
int vt_quality_gaussian_blur(uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                             double sigma, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Registers the custom DNN layers of OpenCV contrib `dnn_superres` (`DepthToSpace`, used by the
 *  ESPCN/FSRCNN/LapSRN TensorFlow graphs) with OpenCV's layer factory, once per process
 *  (constructing a `cv::dnn_superres::DnnSuperResImpl` does it). Call before loading those graphs
 *  with `vt_dnn_net_load`. Thread-safe. */
int vt_dnn_superres_register_layers(char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif
