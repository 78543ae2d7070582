// libpng's simplified API (decode any PNG to 8-bit grey or RGB; write figures) and
// libjpeg-turbo's TurboJPEG API (decode JPEG). Both report errors by return value, not
// longjmp, so Swift can call them directly.
#include <png.h>
#include <turbojpeg.h>

// libpng's format codes are macros built from other macros, which Swift does not import.
static const unsigned int aekit_png_format_gray = PNG_FORMAT_GRAY;
static const unsigned int aekit_png_format_rgb = PNG_FORMAT_RGB;
