#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "rsvg_calls.h"
#include "SVGRaster.h"

struct buffer { unsigned char *bytes; size_t length, capacity; };

// cairo's PNG writer hands the file over in pieces.
static cairo_status_t append(void *closure, const unsigned char *data, unsigned int length) {
    struct buffer *b = closure;
    if (b->length + length > b->capacity) {
        size_t capacity = (b->capacity + length) * 2;
        unsigned char *grown = realloc(b->bytes, capacity);
        if (grown == NULL) return CAIRO_STATUS_NO_MEMORY;
        b->bytes = grown; b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, data, length);
    b->length += length;
    return CAIRO_STATUS_SUCCESS;
}

int svg_raster_png(const char *svg, size_t length, int width, int height,
                   unsigned char **png, size_t *png_length, char *message, size_t capacity) {
    GError *error = NULL;
    RsvgHandle *handle = rsvg_handle_new_from_data((const unsigned char *)svg, length, &error);
    if (handle == NULL) {
        snprintf(message, capacity, "librsvg cannot read the SVG: %s", error ? error->message : "unknown error");
        if (error) g_error_free(error);
        return -1;
    }
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    RsvgRectangle viewport = {0, 0, width, height};
    int status = 0;
    if (!rsvg_handle_render_document(handle, cr, &viewport, &error)) {
        snprintf(message, capacity, "librsvg cannot draw the SVG: %s", error ? error->message : "unknown error");
        if (error) g_error_free(error);
        status = -1;
    }
    struct buffer out = {NULL, 0, 0};
    if (status == 0 && cairo_surface_write_to_png_stream(surface, append, &out) != CAIRO_STATUS_SUCCESS) {
        snprintf(message, capacity, "cairo cannot write the PNG");
        free(out.bytes);
        status = -1;
    }
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    g_object_unref(handle);
    if (status == 0) { *png = out.bytes; *png_length = out.length; }
    return status;
}

void svg_raster_free(unsigned char *png) { free(png); }
