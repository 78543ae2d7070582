// The nine librsvg, cairo and GLib calls svg_raster.c makes, declared here instead of through
// <librsvg/rsvg.h> and <cairo.h>. Those headers need librsvg's pkg-config flags, which carry
// `-pthread`: SwiftPM refuses that flag and says so ("prohibited flag(s): -pthread") on every
// build of every package that depends on AEKit. The declarations are the libraries' stable C
// ABI (librsvg 2.46+, cairo 1.x, GLib 2.x); the libraries themselves are linked as usual.
#ifndef AEKIT_RSVG_CALLS_H
#define AEKIT_RSVG_CALLS_H

#include <stddef.h>

// GLib
typedef struct { unsigned int domain; int code; char *message; } GError;  // GQuark, gint, gchar *
void g_error_free(GError *error);
void g_object_unref(void *object);

// cairo
typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
typedef enum { CAIRO_STATUS_SUCCESS = 0, CAIRO_STATUS_NO_MEMORY = 1 } cairo_status_t;  // the two used
enum { CAIRO_FORMAT_RGB24 = 1 };
typedef cairo_status_t (*cairo_write_func_t)(void *closure, const unsigned char *data, unsigned int length);
cairo_surface_t *cairo_image_surface_create(int format, int width, int height);
cairo_t *cairo_create(cairo_surface_t *target);
void cairo_set_source_rgb(cairo_t *cr, double red, double green, double blue);
void cairo_paint(cairo_t *cr);
cairo_status_t cairo_surface_write_to_png_stream(cairo_surface_t *surface, cairo_write_func_t write, void *closure);
void cairo_destroy(cairo_t *cr);
void cairo_surface_destroy(cairo_surface_t *surface);

// librsvg
typedef struct _RsvgHandle RsvgHandle;
typedef struct { double x, y, width, height; } RsvgRectangle;
RsvgHandle *rsvg_handle_new_from_data(const unsigned char *data, size_t length, GError **error);
int rsvg_handle_render_document(RsvgHandle *handle, cairo_t *cr, const RsvgRectangle *viewport, GError **error);

#endif
