// Test-only fixture writers for cases libvips' savers cannot produce.
#ifndef VT_IMAGE_FIXTURES_H
#define VT_IMAGE_FIXTURES_H

/// Writes a solid-colour CMYK JPEG with libjpeg. `ink` holds C, M, Y, K as ink coverage
/// (0 = none, 255 = 100 %). With `adobe_marker` the file carries an Adobe APP14 marker and
/// the samples are stored inverted (Adobe's convention); with `ycck` the colour transform is
/// YCCK (APP14 transform = 2), otherwise 0. Without the marker the samples are stored as ink.
/// Returns 0 on success.
int vt_fixture_write_cmyk_jpeg(const char *path, int width, int height, const unsigned char ink[4],
                               int adobe_marker, int ycck);

#endif
