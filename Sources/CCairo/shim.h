// Cairo 2D graphics with its PNG, SVG, PDF and FreeType/fontconfig back ends (Debian: libcairo2-dev).
#include <cairo.h>
#include <cairo-svg.h>
#include <cairo-pdf.h>
#include <cairo-ft.h>
#include <fontconfig/fontconfig.h>
