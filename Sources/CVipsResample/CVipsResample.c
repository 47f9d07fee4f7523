#include "CVipsResample.h"

#include <string.h>
#include <vips/vips.h>

static void vt_resample_unref(VipsImage *image) {
    if (image != NULL) g_object_unref(image);
}

// Copies an 8-bit image into a new buffer; takes ownership of `image`.
static int vt_resample_copy_out(VipsImage *image, vt_pixels *out) {
    size_t size = 0;
    void *memory = vips_image_write_to_memory(image, &size);
    if (memory == NULL) {
        vt_resample_unref(image);
        return -1;
    }
    out->pixels = memory;
    out->width = image->Xsize;
    out->height = image->Ysize;
    out->bands = image->Bands;
    vt_resample_unref(image);
    return 0;
}

int vt_vips_decode_rgba(const void *data, size_t length, long long maximum_pixels, vt_pixels *out) {
    if (vt_vips_init() != 0) return -1;
    memset(out, 0, sizeof(*out));
    VipsImage *image = vips_image_new_from_buffer(data, length, "", "access", VIPS_ACCESS_RANDOM, NULL);
    if (image == NULL) return -1;
    if ((long long)image->Xsize * image->Ysize > maximum_pixels) {
        vips_error("vitrine", "image of %d x %d pixels is over the limit of %lld pixels", image->Xsize,
                   image->Ysize, maximum_pixels);
        vt_resample_unref(image);
        return -1;
    }
    VipsImage *rotated = NULL;
    if (vips_autorot(image, &rotated, NULL) != 0) {
        vt_resample_unref(image);
        return -1;
    }
    vt_resample_unref(image);
    VipsImage *srgb = NULL;
    if (vips_colourspace(rotated, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0) {
        vt_resample_unref(rotated);
        return -1;
    }
    vt_resample_unref(rotated);
    VipsImage *current = srgb;
    // Keep RGB plus at most one alpha band.
    if (current->Bands > 4 || (current->Bands == 4 && !vips_image_hasalpha(current))) {
        VipsImage *trimmed = NULL;
        int keep = vips_image_hasalpha(current) ? 4 : 3;
        if (vips_extract_band(current, &trimmed, 0, "n", keep, NULL) != 0) {
            vt_resample_unref(current);
            return -1;
        }
        vt_resample_unref(current);
        current = trimmed;
    }
    if (current->BandFmt != VIPS_FORMAT_UCHAR) {
        VipsImage *cast = NULL;
        if (vips_cast(current, &cast, VIPS_FORMAT_UCHAR, "shift", current->BandFmt == VIPS_FORMAT_USHORT, NULL) != 0) {
            vt_resample_unref(current);
            return -1;
        }
        vt_resample_unref(current);
        current = cast;
    }
    return vt_resample_copy_out(current, out);
}

int vt_vips_resize_cubic(const unsigned char *pixels, int width, int height, int bands, int out_width,
                         int out_height, vt_pixels *out) {
    if (vt_vips_init() != 0) return -1;
    memset(out, 0, sizeof(*out));
    VipsImage *image = vips_image_new_from_memory(pixels, (size_t)width * height * bands, width, height, bands,
                                                  VIPS_FORMAT_UCHAR);
    if (image == NULL) return -1;
    VipsImage *resized = NULL;
    double hscale = (double)out_width / width, vscale = (double)out_height / height;
    int status;
    if (hscale >= 1.0 && vscale >= 1.0) {
        // vips_resize (8.14) enlarges with its pixel grid shifted by half an output pixel; call
        // vips_affine with centre-aligned offsets instead: output x samples input
        // (x + 0.5) / s − 0.5, as MATLAB, OpenCV and Pillow do.
        VipsInterpolate *bicubic = vips_interpolate_new("bicubic");
        VipsArrayInt *area = vips_array_int_newv(4, 0, 0, out_width, out_height);
        status = vips_affine(image, &resized, hscale, 0, 0, vscale, "interpolate", bicubic, "idx",
                             (1.0 - 1.0 / hscale) / 2.0, "idy", (1.0 - 1.0 / vscale) / 2.0, "oarea", area, "extend",
                             VIPS_EXTEND_COPY, NULL);
        vips_area_unref(VIPS_AREA(area));
        g_object_unref(bicubic);
    } else {
        status = vips_resize(image, &resized, hscale, "vscale", vscale, "kernel", VIPS_KERNEL_CUBIC, NULL);
    }
    vt_resample_unref(image);
    if (status != 0) return -1;
    if (resized->Xsize != out_width || resized->Ysize != out_height) {
        // Rounding in vips_resize: crop or embed the last row/column to the exact size.
        VipsImage *exact = NULL;
        if (vips_embed(resized, &exact, 0, 0, out_width, out_height, "extend", VIPS_EXTEND_COPY, NULL) != 0) {
            vt_resample_unref(resized);
            return -1;
        }
        vt_resample_unref(resized);
        resized = exact;
    }
    if (resized->BandFmt != VIPS_FORMAT_UCHAR) {
        VipsImage *cast = NULL;
        if (vips_cast(resized, &cast, VIPS_FORMAT_UCHAR, NULL) != 0) {
            vt_resample_unref(resized);
            return -1;
        }
        vt_resample_unref(resized);
        resized = cast;
    }
    return vt_resample_copy_out(resized, out);
}
