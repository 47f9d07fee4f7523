// CVipsResample: the libvips operations of super-resolution and its evaluation (decode with
// alpha kept, bicubic resize to an exact size). Same conventions as CVipsShim.h: 0 on success,
// -1 on failure with libvips' message in `vt_vips_take_error`; buffers freed with `vt_vips_free`.
#ifndef VT_VIPS_RESAMPLE_H
#define VT_VIPS_RESAMPLE_H

#include <CVipsShim.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Decodes the first page of an encoded image at full resolution into 8-bit sRGB, keeping alpha:
/// EXIF orientation applied, any colour space (grey, CMYK, Lab, 16-bit) converted with
/// `vips_colourspace` to sRGB and cast to 8 bits. `out->bands` is 3 (RGB) or 4 (RGBA).
/// Images over `maximum_pixels` are refused.
int vt_vips_decode_rgba(const void *data, size_t length, long long maximum_pixels, vt_pixels *out);

/// Resizes an 8-bit buffer to exactly `out_width × out_height` with libvips' bicubic. Enlarging:
/// `vips_affine` with the bicubic (Catmull-Rom) interpolator and centre-aligned pixel grids
/// (output x samples input (x + 0.5) / s − 0.5; `vips_resize` 8.14 is off by half an output
/// pixel there), edges copied. Reducing: `vips_resize(kernel = VIPS_KERNEL_CUBIC)`, the cubic
/// kernel widened by the factor (antialiased, like MATLAB's `imresize`). Alpha is resampled like
/// any other band.
int vt_vips_resize_cubic(const unsigned char *pixels, int width, int height, int bands, int out_width,
                         int out_height, vt_pixels *out);

#ifdef __cplusplus
}
#endif

#endif
