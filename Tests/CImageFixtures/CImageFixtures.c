#include "CImageFixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

int vt_fixture_write_cmyk_jpeg(const char *path, int width, int height, const unsigned char ink[4],
                               int adobe_marker, int ycck) {
    FILE *file = fopen(path, "wb");
    if (file == NULL) return -1;
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, file);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(&cinfo, 95, TRUE);
    cinfo.write_Adobe_marker = (adobe_marker || ycck) ? TRUE : FALSE;
    jpeg_start_compress(&cinfo, TRUE);
    int inverted = adobe_marker || ycck;
    unsigned char *row = malloc((size_t)width * 4);
    for (int x = 0; x < width; x++) {
        for (int c = 0; c < 4; c++) row[x * 4 + c] = inverted ? (unsigned char)(255 - ink[c]) : ink[c];
    }
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(row);
    fclose(file);
    return 0;
}
