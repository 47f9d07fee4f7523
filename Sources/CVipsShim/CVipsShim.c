#include "CVipsShim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>
#include <vips/vector.h>

static pthread_once_t vt_once = PTHREAD_ONCE_INIT;
static int vt_init_status = -1;
static pthread_mutex_t vt_error_lock = PTHREAD_MUTEX_INITIALIZER;

// libvips and the libraries under it (libtiff, libpng, openjpeg) print warnings about odd but
// readable files on stderr through GLib; Vitrine reports failures through the error buffer and
// keeps the terminal for its progress bar, so warnings are dropped unless VITRINE_VIPS_WARNINGS is set.
static void vt_drop_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain;
    (void)level;
    (void)message;
    (void)data;
}

static void vt_do_init(void) {
    if (g_getenv("VITRINE_VIPS_WARNINGS") == NULL) {
        g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, vt_drop_log, NULL);
    }
    if (VIPS_INIT("vitrine") != 0) {
        vt_init_status = -1;
        return;
    }
    vips_concurrency_set(1);
    // Orc compiles vector code for every operation; on the small images of hashing the compile
    // costs more than it saves.
    vips_vector_set_enabled(FALSE);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vt_init_status = 0;
}

int vt_vips_init(void) {
    pthread_once(&vt_once, vt_do_init);
    return vt_init_status;
}

void vt_vips_take_error(char *buffer, size_t size) {
    if (buffer == NULL || size == 0) return;
    pthread_mutex_lock(&vt_error_lock);
    const char *message = vips_error_buffer();
    if (message == NULL) message = "";
    strncpy(buffer, message, size - 1);
    buffer[size - 1] = '\0';
    vips_error_clear();
    pthread_mutex_unlock(&vt_error_lock);
    // Trim the trailing newline libvips appends.
    size_t n = strlen(buffer);
    while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == ' ')) buffer[--n] = '\0';
}

void vt_vips_free(void *pointer) { g_free(pointer); }

static void vt_unref(VipsImage *image) {
    if (image != NULL) g_object_unref(image);
}

static int vt_bits(VipsBandFormat format) {
    switch (format) {
    case VIPS_FORMAT_UCHAR:
    case VIPS_FORMAT_CHAR: return 8;
    case VIPS_FORMAT_USHORT:
    case VIPS_FORMAT_SHORT: return 16;
    case VIPS_FORMAT_UINT:
    case VIPS_FORMAT_INT:
    case VIPS_FORMAT_FLOAT:
    case VIPS_FORMAT_COMPLEX: return 32;
    case VIPS_FORMAT_DOUBLE:
    case VIPS_FORMAT_DPCOMPLEX: return 64;
    default: return 8;
    }
}

static VipsImage *vt_open(const void *data, size_t length, int page, int fail_on_truncated) {
    // libvips sniffs the format from the bytes (magic numbers), never from a file name.
    // Only multi-page loaders (TIFF, GIF, WebP, PDF, HEIF) know the "page" option.
    if (page > 0) {
        if (fail_on_truncated) {
            return vips_image_new_from_buffer(data, length, "", "page", page, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
        }
        return vips_image_new_from_buffer(data, length, "", "page", page, NULL);
    }
    if (fail_on_truncated) {
        return vips_image_new_from_buffer(data, length, "", "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
    }
    return vips_image_new_from_buffer(data, length, "", NULL);
}

// Whether a JPEG carries an Adobe APP14 segment ("Adobe" identifier) before its first scan.
static int vt_jpeg_has_adobe_marker(const unsigned char *d, size_t n) {
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return 0;
    size_t i = 2;
    while (i + 4 <= n) {
        if (d[i] != 0xFF) return 0;
        unsigned char marker = d[i + 1];
        if (marker == 0xFF) {
            i++;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9) return 0;
        size_t length = ((size_t)d[i + 2] << 8) | d[i + 3];
        if (marker == 0xEE && length >= 7 && i + 9 <= n && memcmp(d + i + 4, "Adobe", 5) == 0) return 1;
        i += 2 + length;
    }
    return 0;
}

// libvips 8.14 inverts every CMYK JPEG (Adobe's convention). A CMYK JPEG without the Adobe APP14
// marker stores ink coverage as is (0 = no ink), so its samples must be inverted back.
static int vt_is_plain_cmyk_jpeg(const void *data, size_t length, VipsImage *image) {
    return vips_image_get_interpretation(image) == VIPS_INTERPRETATION_CMYK &&
           vips_image_get_typeof(image, "jpeg-multiscan") != 0 &&
           !vt_jpeg_has_adobe_marker((const unsigned char *)data, length);
}

static VipsImage *vt_invert_owned(VipsImage *image) {
    VipsImage *inverted = NULL;
    int status = vips_invert(image, &inverted, NULL);
    g_object_unref(image);
    return status == 0 ? inverted : NULL;
}

int vt_vips_header(const void *data, size_t length, vt_header *out) {
    if (vt_vips_init() != 0) return -1;
    memset(out, 0, sizeof(*out));
    const char *loader = vips_foreign_find_load_buffer(data, length);
    if (loader == NULL) return -1;
    // libvips names the class ("VipsForeignLoadJpegBuffer"); keep its nickname ("jpegload_buffer").
    const char *nickname = vips_nickname_find(g_type_from_name(loader));
    strncpy(out->loader, nickname != NULL ? nickname : loader, sizeof(out->loader) - 1);
    VipsImage *image = vips_image_new_from_buffer(data, length, "", NULL);
    if (image == NULL) return -1;
    out->width = vips_image_get_width(image);
    out->height = vips_image_get_height(image);
    out->bands = vips_image_get_bands(image);
    out->bits_per_sample = vt_bits(vips_image_get_format(image));
    out->is_float = vips_band_format_isfloat(vips_image_get_format(image)) ? 1 : 0;
    out->interpretation = (int)vips_image_get_interpretation(image);
    out->has_alpha = vips_image_hasalpha(image) ? 1 : 0;
    int bits = 0;
    if (vips_image_get_typeof(image, "bits-per-sample") &&
        vips_image_get_int(image, "bits-per-sample", &bits) == 0 && bits == 1) {
        out->bits_per_sample = 1;
    }
    if (vips_image_get_typeof(image, "palette-bit-depth") &&
        vips_image_get_int(image, "palette-bit-depth", &bits) == 0 && bits == 1) {
        out->bits_per_sample = 1;
    }
    int orientation = 1;
    if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) &&
        vips_image_get_int(image, VIPS_META_ORIENTATION, &orientation) == 0 &&
        orientation >= 1 && orientation <= 8) {
        out->orientation = orientation;
    } else {
        out->orientation = 1;
    }
    out->has_icc_profile = vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0;
    out->plain_cmyk_jpeg = vt_is_plain_cmyk_jpeg(data, length, image);
    int pages = vips_image_get_n_pages(image);
    out->pages = pages < 1 ? 1 : pages;
    out->pyramid_levels = 1;
    // A TIFF whose successive pages halve in size is a resolution pyramid, not a document.
    // libvips reports JPEG 2000 resolution levels as pages.
    if (pages > 1 && strstr(out->loader, "jp2kload") != NULL) {
        out->pyramid_levels = pages;
        out->pages = 1;
    }
    if (pages > 1 && strstr(out->loader, "tiffload") != NULL) {
        int pyramid = 1;
        int previous_width = out->width, previous_height = out->height;
        for (int p = 1; p < pages && pyramid; p++) {
            VipsImage *level = vips_image_new_from_buffer(data, length, "", "page", p, NULL);
            if (level == NULL) {
                vips_error_clear();
                pyramid = 0;
                break;
            }
            int w = vips_image_get_width(level), h = vips_image_get_height(level);
            vt_unref(level);
            if (!(w == previous_width / 2 || w == (previous_width + 1) / 2) ||
                !(h == previous_height / 2 || h == (previous_height + 1) / 2)) {
                pyramid = 0;
            }
            previous_width = w;
            previous_height = h;
        }
        if (pyramid) {
            out->pyramid_levels = pages;
            out->pages = 1;
        }
    }
    vt_unref(image);
    return 0;
}

// Converts any decoded image to 8-bit sRGB (3 bands) or 8-bit grey (1 band), alpha composited
// over white. Takes ownership of `in`; returns a new reference or NULL.
static VipsImage *vt_normalise(VipsImage *in, int keep_grey) {
    if (in == NULL) return NULL;
    VipsImage *image = in, *next = NULL;
    VipsInterpretation interpretation = vips_image_get_interpretation(image);
    int bands = vips_image_get_bands(image);

    // CMYK (incl. YCCK, which libjpeg turns into CMYK, and Adobe-inverted CMYK, which libvips'
    // JPEG loader un-inverts when it sees the APP14 marker): ICC transform to sRGB with the
    // embedded profile, else libvips' built-in CMYK profile.
    if (interpretation == VIPS_INTERPRETATION_CMYK) {
        if (vips_icc_transform(image, &next, "srgb", "input_profile", "cmyk", "embedded", TRUE, NULL) != 0) {
            vips_error_clear();
            if (vips_colourspace(image, &next, VIPS_INTERPRETATION_sRGB, NULL) != 0) {
                vt_unref(image);
                return NULL;
            }
        }
        vt_unref(image);
        image = next;
    } else if (interpretation == VIPS_INTERPRETATION_LAB || interpretation == VIPS_INTERPRETATION_LABS ||
               interpretation == VIPS_INTERPRETATION_LCH || interpretation == VIPS_INTERPRETATION_XYZ ||
               interpretation == VIPS_INTERPRETATION_YXY || interpretation == VIPS_INTERPRETATION_scRGB ||
               interpretation == VIPS_INTERPRETATION_HSV) {
        if (vips_colourspace(image, &next, VIPS_INTERPRETATION_sRGB, NULL) != 0) {
            vt_unref(image);
            return NULL;
        }
        vt_unref(image);
        image = next;
    }

    // Scale to 8 bits by value, never by clipping.
    VipsBandFormat format = vips_image_get_format(image);
    int shift = 0;
    if (format == VIPS_FORMAT_USHORT || format == VIPS_FORMAT_SHORT) shift = 8;
    if (format == VIPS_FORMAT_UINT || format == VIPS_FORMAT_INT) shift = 24;
    if (shift > 0) {
        if (vips_rshift_const1(image, &next, shift, NULL) != 0) {
            vt_unref(image);
            return NULL;
        }
        vt_unref(image);
        image = next;
    } else if (format == VIPS_FORMAT_FLOAT || format == VIPS_FORMAT_DOUBLE) {
        // Float samples: 0...1 data is scaled to 0...255, larger ranges are taken as 0...255.
        double maximum = 0;
        if (vips_max(image, &maximum, NULL) == 0 && maximum <= 1.0) {
            if (vips_linear1(image, &next, 255.0, 0.0, NULL) != 0) {
                vt_unref(image);
                return NULL;
            }
            vt_unref(image);
            image = next;
        } else {
            vips_error_clear();
        }
    }
    if (vips_image_get_format(image) != VIPS_FORMAT_UCHAR) {
        if (vips_cast_uchar(image, &next, NULL) != 0) {
            vt_unref(image);
            return NULL;
        }
        vt_unref(image);
        image = next;
    }

    // Alpha over white. Grey+alpha has 2 bands, RGB+alpha 4.
    bands = vips_image_get_bands(image);
    if (bands == 2 || bands == 4 || (bands > 4)) {
        if (bands == 2 || bands == 4) {
            double white[3] = {255, 255, 255};
            VipsArrayDouble *background = vips_array_double_new(white, bands - 1);
            int status = vips_flatten(image, &next, "background", background, "max_alpha", 255.0, NULL);
            vips_area_unref(VIPS_AREA(background));
            if (status != 0) {
                vt_unref(image);
                return NULL;
            }
        } else if (vips_extract_band(image, &next, 0, "n", 3, NULL) != 0) {
            vt_unref(image);
            return NULL;
        }
        vt_unref(image);
        image = next;
    }

    bands = vips_image_get_bands(image);
    if (bands == 1 && !keep_grey) {
        VipsImage *copies[3] = {image, image, image};
        if (vips_bandjoin(copies, &next, 3, NULL) != 0) {
            vt_unref(image);
            return NULL;
        }
        vt_unref(image);
        image = next;
    }
    return image;
}

static int vt_to_pixels_mode(VipsImage *image, vt_pixels *out, int in_this_thread) {
    int width = vips_image_get_width(image), height = vips_image_get_height(image);
    int bands = vips_image_get_bands(image);
    size_t row = (size_t)width * bands;
    if (in_this_thread && vips_image_get_format(image) == VIPS_FORMAT_UCHAR) {
        // Tiny outputs from in-memory images (hash grids): evaluate the pipeline in this thread
        // through a region. vips_image_write_to_memory starts a thread pool per call, which
        // costs more than the work on images of this size.
        VipsRegion *region = vips_region_new(image);
        if (region == NULL) return -1;
        VipsRect rect = {0, 0, width, height};
        if (vips_region_prepare(region, &rect) != 0) {
            g_object_unref(region);
            return -1;
        }
        unsigned char *memory = (unsigned char *)g_try_malloc(row * height > 0 ? row * height : 1);
        if (memory == NULL) {
            g_object_unref(region);
            vips_error("vitrine", "out of memory for a %d × %d image", width, height);
            return -1;
        }
        for (int y = 0; y < height; y++) {
            memcpy(memory + row * y, VIPS_REGION_ADDR(region, 0, y), row);
        }
        g_object_unref(region);
        out->pixels = memory;
    } else {
        size_t size = 0;
        void *memory = vips_image_write_to_memory(image, &size);
        if (memory == NULL) return -1;
        out->pixels = (unsigned char *)memory;
    }
    out->width = width;
    out->height = height;
    out->bands = bands;
    return 0;
}

static int vt_to_pixels(VipsImage *image, vt_pixels *out) { return vt_to_pixels_mode(image, out, 0); }

static int vt_fit(int width, int height, int side, int *out_width, int *out_height) {
    if (width <= side && height <= side) {
        *out_width = width;
        *out_height = height;
        return 0;
    }
    double scale = (double)side / (double)(width > height ? width : height);
    *out_width = (int)(width * scale + 0.5);
    *out_height = (int)(height * scale + 0.5);
    if (*out_width < 1) *out_width = 1;
    if (*out_height < 1) *out_height = 1;
    return 1;
}

static int vt_resize_image(VipsImage *image, int out_width, int out_height, VipsImage **out) {
    int width = vips_image_get_width(image), height = vips_image_get_height(image);
    if (width == out_width && height == out_height) {
        g_object_ref(image);
        *out = image;
        return 0;
    }
    double hscale = (double)out_width / width, vscale = (double)out_height / height;
    VipsImage *resized = NULL;
    if (vips_resize(image, &resized, hscale, "vscale", vscale, "kernel", VIPS_KERNEL_LANCZOS3, NULL) != 0) {
        return -1;
    }
    // Rounding in vips_resize can leave one pixel more or less; crop or embed to the exact size.
    if (vips_image_get_width(resized) != out_width || vips_image_get_height(resized) != out_height) {
        VipsImage *exact = NULL;
        int status = vips_gravity(resized, &exact, VIPS_COMPASS_DIRECTION_NORTH_WEST, out_width, out_height,
                                  "extend", VIPS_EXTEND_COPY, NULL);
        vt_unref(resized);
        if (status != 0) return -1;
        resized = exact;
    }
    *out = resized;
    return 0;
}

int vt_vips_decode(const void *data, size_t length, const vt_decode_options *options,
                   vt_pixels *full, vt_pixels *thumbnail) {
    if (vt_vips_init() != 0) return -1;
    if (full) memset(full, 0, sizeof(*full));
    if (thumbnail) memset(thumbnail, 0, sizeof(*thumbnail));

    if (options->shrink_on_load && options->thumbnail_side > 0 && thumbnail != NULL) {
        // Shrink-on-load: JPEG DCT scaling, JPEG 2000 resolution levels, TIFF pyramids, WebP.
        // With VIPS_SIZE_DOWN, libvips 8.14 can pick a JPEG 2000 level or TIFF pyramid page below
        // the target; ask for at most the image's own size with the default size mode instead.
        int longest = options->longest_side;
        int plain_cmyk = options->plain_cmyk_jpeg;
        int side = options->thumbnail_side < longest ? options->thumbnail_side : longest;
        if (options->is_jpeg) {
            // JPEG: one open with DCT-domain shrink-on-load (1/2, 1/4, 1/8), then orientation,
            // colour and a Lanczos3 resize here. vips_thumbnail would open the file several times
            // (its per-image set-up dominates on small files) and would import a plain (not
            // Adobe-inverted) CMYK JPEG with the wrong polarity.
            int shrink = 1;
            while (shrink < 8 && longest / (shrink * 2) >= side) shrink *= 2;
            VipsImage *loaded = vips_image_new_from_buffer(data, length, "", "shrink", shrink, "fail_on",
                                                           options->fail_on_truncated ? VIPS_FAIL_ON_TRUNCATED
                                                                                      : VIPS_FAIL_ON_NONE,
                                                           NULL);
            if (loaded == NULL) return -1;
            VipsImage *rotated = NULL;
            int status = vips_autorot(loaded, &rotated, NULL);
            vt_unref(loaded);
            if (status != 0) return -1;
            VipsImage *normal = vt_normalise(plain_cmyk ? vt_invert_owned(rotated) : rotated, options->keep_grey);
            if (normal == NULL) return -1;
            int tw = 0, th = 0;
            vt_fit(vips_image_get_width(normal), vips_image_get_height(normal), options->thumbnail_side, &tw, &th);
            VipsImage *resized = NULL;
            status = vt_resize_image(normal, tw, th, &resized);
            vt_unref(normal);
            if (status != 0) return -1;
            status = vt_to_pixels(resized, thumbnail);
            vt_unref(resized);
            return status;
        }
        VipsImage *thumb = NULL;
        const char *load_options = options->fail_on_truncated ? "fail_on=truncated" : "";
        if (vips_thumbnail_buffer((void *)data, length, &thumb, side, "height", side, "option_string", load_options,
                                  NULL) != 0) {
            return -1;
        }
        VipsImage *normal = vt_normalise(thumb, options->keep_grey);
        if (normal == NULL) return -1;
        int status = vt_to_pixels(normal, thumbnail);
        vt_unref(normal);
        return status;
    }

    VipsImage *image = vt_open(data, length, options->page, options->fail_on_truncated);
    if (image == NULL) return -1;
    if (options->plain_cmyk_jpeg) {
        image = vt_invert_owned(image);
        if (image == NULL) return -1;
    }
    VipsImage *rotated = NULL;
    if (vips_autorot(image, &rotated, NULL) != 0) {
        vt_unref(image);
        return -1;
    }
    vt_unref(image);
    VipsImage *normal = vt_normalise(rotated, options->keep_grey);
    if (normal == NULL) return -1;

    int status = 0;
    if (options->full && full != NULL) {
        status = vt_to_pixels(normal, full);
    }
    if (status == 0 && options->thumbnail_side > 0 && thumbnail != NULL) {
        VipsImage *source = normal, *from_memory = NULL;
        if (full != NULL && full->pixels != NULL) {
            // Reuse the decoded pixels rather than decoding a second time.
            from_memory = vips_image_new_from_memory(full->pixels, (size_t)full->width * full->height * full->bands,
                                                     full->width, full->height, full->bands, VIPS_FORMAT_UCHAR);
            if (from_memory == NULL) status = -1;
            source = from_memory;
        }
        if (status == 0) {
            int tw = 0, th = 0;
            vt_fit(vips_image_get_width(source), vips_image_get_height(source), options->thumbnail_side, &tw, &th);
            VipsImage *resized = NULL;
            status = vt_resize_image(source, tw, th, &resized);
            if (status == 0) {
                status = vt_to_pixels(resized, thumbnail);
                vt_unref(resized);
            }
        }
        vt_unref(from_memory);
    }
    vt_unref(normal);
    if (status != 0) {
        if (full && full->pixels) {
            g_free(full->pixels);
            full->pixels = NULL;
        }
    }
    return status;
}

int vt_vips_resize_exact(const unsigned char *pixels, int width, int height, int bands,
                         int out_width, int out_height, vt_pixels *out) {
    if (vt_vips_init() != 0) return -1;
    memset(out, 0, sizeof(*out));
    VipsImage *image = vips_image_new_from_memory(pixels, (size_t)width * height * bands, width, height, bands,
                                                  VIPS_FORMAT_UCHAR);
    if (image == NULL) return -1;
    VipsImage *resized = NULL;
    int status = vt_resize_image(image, out_width, out_height, &resized);
    vt_unref(image);
    if (status != 0) return -1;
    status = vt_to_pixels_mode(resized, out, out_width * out_height <= 65536);
    vt_unref(resized);
    return status;
}

int vt_vips_save(const void *samples, int width, int height, int bands, int bytes_per_sample,
                 int orientation, int page_height, const char *path) {
    if (vt_vips_init() != 0) return -1;
    VipsBandFormat format = bytes_per_sample == 2 ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR;
    VipsImage *image = vips_image_new_from_memory_copy(samples, (size_t)width * height * bands * bytes_per_sample,
                                                       width, height, bands, format);
    if (image == NULL) return -1;
    VipsInterpretation interpretation;
    if (bands <= 2) {
        interpretation = bytes_per_sample == 2 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W;
    } else if (bands == 4 && bytes_per_sample == 1 && strstr(path, "[cmyk]") != NULL) {
        interpretation = VIPS_INTERPRETATION_CMYK;
    } else {
        interpretation = bytes_per_sample == 2 ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB;
    }
    VipsImage *copy = NULL;
    if (vips_copy(image, &copy, "interpretation", interpretation, NULL) != 0) {
        vt_unref(image);
        return -1;
    }
    vt_unref(image);
    image = copy;
    if (orientation > 0) vips_image_set_int(image, VIPS_META_ORIENTATION, orientation);
    if (page_height > 0) vips_image_set_int(image, VIPS_META_PAGE_HEIGHT, page_height);
    // "[cmyk]" is our own marker, not a libvips option: strip it.
    char clean[4096];
    strncpy(clean, path, sizeof(clean) - 1);
    clean[sizeof(clean) - 1] = '\0';
    char *marker = strstr(clean, "[cmyk]");
    if (marker != NULL) *marker = '\0';
    int status = vips_image_write_to_file(image, clean, NULL);
    vt_unref(image);
    return status;
}

int vt_vips_contact_sheet(const char *const *paths, int count, int columns, int cell, int spacing,
                          const char *output) {
    if (vt_vips_init() != 0) return -1;
    if (count <= 0) return -1;
    VipsImage **tiles = (VipsImage **)g_malloc0(sizeof(VipsImage *) * (size_t)count);
    int status = 0;
    for (int i = 0; i < count && status == 0; i++) {
        VipsImage *thumb = NULL;
        if (vips_thumbnail(paths[i], &thumb, cell, "height", cell, NULL) != 0) {
            status = -1;
            break;
        }
        VipsImage *normal = vt_normalise(thumb, 0);
        if (normal == NULL) {
            status = -1;
            break;
        }
        double white[3] = {255, 255, 255};
        VipsArrayDouble *background = vips_array_double_new(white, 3);
        VipsImage *framed = NULL;
        status = vips_gravity(normal, &framed, VIPS_COMPASS_DIRECTION_CENTRE, cell + spacing, cell + spacing,
                              "extend", VIPS_EXTEND_BACKGROUND, "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        vt_unref(normal);
        tiles[i] = framed;
    }
    if (status == 0) {
        VipsImage *sheet = NULL;
        double white[3] = {255, 255, 255};
        VipsArrayDouble *background = vips_array_double_new(white, 3);
        status = vips_arrayjoin(tiles, &sheet, count, "across", columns, "background", background, NULL);
        vips_area_unref(VIPS_AREA(background));
        if (status == 0) {
            status = vips_image_write_to_file(sheet, output, NULL);
            vt_unref(sheet);
        }
    }
    for (int i = 0; i < count; i++) vt_unref(tiles[i]);
    g_free(tiles);
    return status;
}

// MARK: - IIIF Image API rendering

/// Opens the first page of `path` with EXIF orientation applied, as 8-bit sRGB without alpha.
static VipsImage *vt_iiif_open(const char *path) {
    VipsImage *image = vips_image_new_from_file(path, NULL);
    if (image == NULL) return NULL;
    VipsImage *rotated = NULL;
    if (vips_autorot(image, &rotated, NULL) != 0) {
        vt_unref(image);
        return NULL;
    }
    vt_unref(image);
    image = rotated;
    if (vips_image_hasalpha(image)) {
        VipsImage *flat = NULL;
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int status = vips_flatten(image, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        vt_unref(image);
        if (status != 0) return NULL;
        image = flat;
    }
    VipsImage *srgb = NULL;
    if (vips_colourspace(image, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0) {
        vt_unref(image);
        return NULL;
    }
    vt_unref(image);
    VipsImage *eight = NULL;
    if (vips_cast_uchar(srgb, &eight, NULL) != 0) {
        vt_unref(srgb);
        return NULL;
    }
    vt_unref(srgb);
    return eight;
}

int vt_iiif_size(const char *path, int *width, int *height) {
    if (vt_vips_init() != 0) return -1;
    VipsImage *image = vips_image_new_from_file(path, NULL);
    if (image == NULL) return -1;
    VipsImage *rotated = NULL;
    if (vips_autorot(image, &rotated, NULL) != 0) {
        vt_unref(image);
        return -1;
    }
    vt_unref(image);
    *width = vips_image_get_width(rotated);
    *height = vips_image_get_height(rotated);
    vt_unref(rotated);
    return 0;
}

/// Replaces `*image` by `next` (unreffing the old one); returns `status`.
static int vt_iiif_step(VipsImage **image, VipsImage *next, int status) {
    if (status != 0) return status;
    vt_unref(*image);
    *image = next;
    return 0;
}

int vt_iiif_render(const char *path, int x, int y, int w, int h, int out_w, int out_h, int mirror,
                   int rotation, int quality, const char *suffix, void **out, size_t *length) {
    if (vt_vips_init() != 0) return -1;
    if (w <= 0 || h <= 0 || out_w <= 0 || out_h <= 0) {
        vips_error("vt_iiif_render", "empty region or size");
        return -1;
    }
    VipsImage *image = vt_iiif_open(path);
    if (image == NULL) return -1;
    VipsImage *next = NULL;
    int status = 0;
    if (x != 0 || y != 0 || w != vips_image_get_width(image) || h != vips_image_get_height(image)) {
        status = vips_extract_area(image, &next, x, y, w, h, NULL);
        status = vt_iiif_step(&image, next, status);
    }
    if (status == 0 && (out_w != w || out_h != h)) {
        next = NULL;
        status = vips_resize(image, &next, (double)out_w / w, "vscale", (double)out_h / h,
                                                       "kernel", VIPS_KERNEL_LANCZOS3, NULL);
        status = vt_iiif_step(&image, next, status);
        // vips_resize rounds; make the size exact.
        if (status == 0 && (vips_image_get_width(image) != out_w || vips_image_get_height(image) != out_h)) {
            next = NULL;
            status = vips_embed(image, &next, 0, 0, out_w, out_h, "extend", VIPS_EXTEND_COPY, NULL);
            status = vt_iiif_step(&image, next, status);
        }
    }
    if (status == 0 && mirror) {
        next = NULL;
        status = vips_flip(image, &next, VIPS_DIRECTION_HORIZONTAL, NULL);
        status = vt_iiif_step(&image, next, status);
    }
    if (status == 0 && rotation != 0) {
        VipsAngle angle = rotation == 90 ? VIPS_ANGLE_D90 : rotation == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
        next = NULL;
        status = vips_rot(image, &next, angle, NULL);
        status = vt_iiif_step(&image, next, status);
    }
    if (status == 0 && quality >= 1) {
        next = NULL;
        status = vips_colourspace(image, &next, VIPS_INTERPRETATION_B_W, NULL);
        status = vt_iiif_step(&image, next, status);
        if (status == 0 && quality == 2) {
            next = NULL;
            status = vips_moreeq_const1(image, &next, 128.0, NULL);
            status = vt_iiif_step(&image, next, status);
        }
    }
    if (status == 0) status = vips_image_write_to_buffer(image, suffix, out, length, NULL);
    vt_unref(image);
    return status;
}

int vt_vips_text_mask(const char *text, const char *font, int pixel_size, double angle, vt_pixels *out) {
    if (vt_vips_init() != 0) return -1;
    memset(out, 0, sizeof(*out));
    if (text == NULL || font == NULL || text[0] == '\0') {
        vips_error("vitrine", "text mask: empty text or font");
        return -1;
    }
    // vips_text reads Pango markup: escape the text so "&" or "<" are drawn, not parsed.
    gchar *escaped = g_markup_escape_text(text, -1);
    char description[256];
    snprintf(description, sizeof description, "%s %d", font, pixel_size > 0 ? pixel_size : 12);
    VipsImage *mask = NULL;
    int status = vips_text(&mask, escaped, "font", description, "dpi", 72, NULL);
    g_free(escaped);
    if (status != 0) return -1;
    if (angle != 0) {
        VipsImage *rotated = NULL;
        status = vips_rotate(mask, &rotated, angle, NULL);
        vt_unref(mask);
        if (status != 0) return -1;
        mask = rotated;
    }
    VipsImage *cast = NULL;
    status = vips_cast_uchar(mask, &cast, NULL);
    vt_unref(mask);
    if (status != 0) return -1;
    status = vt_to_pixels_mode(cast, out, 0);
    vt_unref(cast);
    return status;
}
