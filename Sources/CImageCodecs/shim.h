// libpng's simplified API (decode any PNG to 8-bit grey or RGB; write figures) and
// libjpeg-turbo's TurboJPEG API (decode JPEG). Both report errors by return value, not
// longjmp, so Swift can call them directly.
#include <png.h>
#include <turbojpeg.h>

// libpng's format codes are macros built from other macros, which Swift does not import.
static const unsigned int aekit_png_format_gray = PNG_FORMAT_GRAY;
static const unsigned int aekit_png_format_rgb = PNG_FORMAT_RGB;
static const unsigned int aekit_png_format_ga = PNG_FORMAT_GA;
static const unsigned int aekit_png_format_rgba = PNG_FORMAT_RGBA;
static const unsigned int aekit_png_format_linear_y = PNG_FORMAT_LINEAR_Y;
