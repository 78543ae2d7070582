// SVG to PNG through librsvg and cairo, behind one call, so that Swift never sees glib's headers.
#ifndef AEKIT_SVG_RASTER_H
#define AEKIT_SVG_RASTER_H
#include <stddef.h>

/// Renders `svg` (`length` bytes of SVG text) into a `width` × `height` PNG on white. On
/// success returns 0 and sets *png (free it with svg_raster_free) and *png_length; on failure
/// returns -1 and writes a message into `message` (at most `capacity` bytes, NUL-terminated).
int svg_raster_png(const char *svg, size_t length, int width, int height,
                   unsigned char **png, size_t *png_length, char *message, size_t capacity);

void svg_raster_free(unsigned char *png);
#endif
