// CVipsShim: fixed-argument wrappers around libvips for Swift.
//
// libvips' operations are variadic C functions, which Swift cannot call. This header is the
// whole contract between Vitrine and libvips: plain C types only, every function returns 0 on
// success and -1 on failure, in which case `vt_vips_take_error` returns libvips' message.
// Pixel buffers returned here are owned by the caller and freed with `vt_vips_free`.
#ifndef VT_VIPS_SHIM_H
#define VT_VIPS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts libvips once per process (idempotent, thread-safe). Sets libvips' own thread pool to
/// one thread per image (Vitrine runs images in parallel) and disables its operation cache.
int vt_vips_init(void);

/// Copies libvips' error buffer into `buffer` (NUL-terminated, truncated to `size`) and clears it.
void vt_vips_take_error(char *buffer, size_t size);

/// Header facts read without decoding pixels.
typedef struct {
    int width;            ///< pixels, as stored (before EXIF orientation)
    int height;           ///< pixels, as stored
    int bands;            ///< channels including alpha
    int bits_per_sample;  ///< 1 (bilevel TIFF), 8, 16, 32, 64
    int is_float;         ///< sample format is float/double
    int interpretation;   ///< VipsInterpretation value
    int has_alpha;
    int pages;            ///< pages/frames, pyramid levels excluded
    int pyramid_levels;   ///< > 1 for TIFFs whose pages are a resolution pyramid
    int orientation;      ///< EXIF orientation 1...8 (1 when absent)
    int has_icc_profile;
    int plain_cmyk_jpeg;  ///< CMYK JPEG without an Adobe APP14 marker (samples are not inverted)
    char loader[48];      ///< libvips loader nickname, e.g. "jpegload_buffer"
} vt_header;

/// Reads the header of an encoded image held in memory.
int vt_vips_header(const void *data, size_t length, vt_header *out);

/// An 8-bit, interleaved, row-major pixel buffer (`height × width × bands` bytes).
typedef struct {
    unsigned char *pixels;  ///< free with vt_vips_free
    int width;
    int height;
    int bands;              ///< 1 (grey) or 3 (sRGB)
} vt_pixels;

typedef struct {
    int full;               ///< decode at full resolution into `full` (0: skip)
    int thumbnail_side;     ///< > 0: also make a thumbnail fitting in this square into `thumbnail`
    int shrink_on_load;     ///< make the thumbnail with shrink-on-load straight from the bytes
    int keep_grey;          ///< return 1 band for grey images instead of replicating to RGB
    int fail_on_truncated;  ///< a truncated or damaged file is an error, not a partial picture
    int page;               ///< page or frame to decode (0 = first)
    int longest_side;       ///< from the header: the image's longer side, pixels
    int plain_cmyk_jpeg;    ///< from the header
    int is_jpeg;            ///< from the header
} vt_decode_options;

/// Decodes an encoded image: applies the EXIF orientation, converts CMYK/YCCK (embedded ICC
/// profile, otherwise libvips' default CMYK profile) and other colour spaces to sRGB, scales
/// 16- and 32-bit samples to 8 bits by value (v >> 8, v >> 24), and composites alpha over white.
int vt_vips_decode(const void *data, size_t length, const vt_decode_options *options,
                   vt_pixels *full, vt_pixels *thumbnail);

/// Resizes an 8-bit buffer to exactly `width × height` (aspect ratio not kept) with Lanczos3
/// (libvips `vips_resize`, box pre-shrink for large factors).
int vt_vips_resize_exact(const unsigned char *pixels, int width, int height, int bands,
                         int out_width, int out_height, vt_pixels *out);

/// Saves samples to a file; the suffix picks the format and may carry libvips save options,
/// e.g. "out.tif[compression=lzw,tile,pyramid]". `bytes_per_sample` is 1 or 2 (native-endian
/// uint16); `orientation` > 0 writes that EXIF orientation tag; `page_height` > 0 saves a
/// `height / page_height`-page file.
int vt_vips_save(const void *samples, int width, int height, int bands, int bytes_per_sample,
                 int orientation, int page_height, const char *path);

/// Joins image files into a grid (`columns` wide, each cell `cell` pixels square, white gaps of
/// `spacing` px) and saves it (PNG or JPEG by suffix).
int vt_vips_contact_sheet(const char *const *paths, int count, int columns, int cell, int spacing,
                          const char *output);

/// Renders `text` (plain text, not markup) in the Pango font `font` (e.g. "DejaVu Sans Bold") at
/// `pixel_size` px (the font size at 72 dpi), rotated `angle` degrees (libvips `vips_rotate`,
/// clockwise, canvas grown to fit), as a 1-band 8-bit coverage mask (0 none … 255 full ink)
/// through libvips `vips_text`.
int vt_vips_text_mask(const char *text, const char *font, int pixel_size, double angle, vt_pixels *out);

void vt_vips_free(void *pointer);

/// IIIF Image API rendering (https://iiif.io/api/image/3.0/#4-image-requests) of the first page of
/// `path`, EXIF orientation applied, as 8-bit sRGB (alpha flattened over white), in the spec's order:
/// region (`x, y, w, h` in oriented pixels) → size (`out_w × out_h`) → mirror (`mirror` ≠ 0, left–right)
/// → rotation (0, 90, 180, 270 clockwise) → quality (0 colour, 1 grey, 2 bitonal: grey ≥ 128 → 255)
/// → format (`suffix`: ".jpg", ".png", ".webp"). The encoded bytes go to `*out` (free with
/// `vt_vips_free`), their length to `*length`.
int vt_iiif_render(const char *path, int x, int y, int w, int h, int out_w, int out_h, int mirror,
                   int rotation, int quality, const char *suffix, void **out, size_t *length);

/// Width and height of the first page of `path` with EXIF orientation applied (what IIIF serves).
int vt_iiif_size(const char *path, int *width, int *height);

#ifdef __cplusplus
}
#endif

#endif
