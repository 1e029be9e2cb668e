/* flamegraph.pl's options, shared by every command that draws (render, diff, record,
 * profile): one table of long options and one setter, so names and checks never drift. */
#ifndef SCORCH_RENDER_CLI_H
#define SCORCH_RENDER_CLI_H

#include <getopt.h>

#include "render.h"

#define RENDER_NOPTIONS 28
#define RENDER_OPT_BASE 1000	/* getopt values of the render options */

#define RENDER_OPTIONS_HELP \
	"Flame graph options (flamegraph.pl's names and defaults):\n" \
	"      --title TEXT     title (default \"Flame Graph\", \"Icicle Graph\" with --inverted)\n" \
	"      --subtitle TEXT  second title line\n" \
	"      --width PX       image width (1200)\n" \
	"      --height PX      height of each frame (16)\n" \
	"      --minwidth N[%]  omit frames narrower than N px or N% of the total (0.1); the\n" \
	"                       SVG keeps them compressed, so a search's Matched counts them\n" \
	"      --fonttype FONT  font family (Verdana)\n" \
	"      --fontsize N     font size (12)\n" \
	"      --fontwidth N    average glyph width relative to the font size (0.59)\n" \
	"      --countname TEXT what counts are (samples)\n" \
	"      --nametype TEXT  what names are (Function:)\n" \
	"      --nameattr FILE  per-function attributes (NAME<TAB>attr=value...)\n" \
	"      --total N        use N as the total count (when larger than the sum)\n" \
	"      --factor N       scale counts shown in tooltips by N (1)\n" \
	"      --colors NAME    hot mem io wakeup chain java js perl red green blue aqua\n" \
	"                       yellow purple orange (hot)\n" \
	"      --bgcolors C     yellow blue green grey or #rrggbb (by palette)\n" \
	"      --compact        SVG: no <title> per frame; each name stored once and the\n" \
	"                       tooltips made by the script (the graph, its rectangles and\n" \
	"                       labels stay as they are, with scripts off too; hover shows no\n" \
	"                       tooltip then): files of big profiles about a third of\n" \
	"                       flamegraph.pl's. Tools that read <title>s need the default\n" \
	"      --theme T        auto (default: an SVG follows the viewer's dark mode, PNG and\n" \
	"                       PDF are light), light or dark: the page around the frames\n" \
	"      --hash           colours keyed by a hash of the name\n" \
	"      --random         random colours\n" \
	"      --cp             consistent palette: read and update palette.map\n" \
	"      --reverse        reverse stacks (merge from the leaves)\n" \
	"      --inverted       icicle graph (root at the top)\n" \
	"      --flamechart     flame chart: stacks in input order, not merged\n" \
	"      --collapse-recursion  a;b;b;b;c drawn as a;b;c (stackcollapse-recursive.pl)\n" \
	"      --negate         switch differential colours (blue for growth)\n" \
	"      --notes TEXT     a note embedded in the SVG\n"

/* Fills out with base (nbase entries) followed by the render options and a terminator. */
void render_options_table(struct option *out, const struct option *base, size_t nbase);
/* Applies option `code` (a value from the table) to o. Returns NULL, or an error message. */
const char *render_option_set(struct render_opts *o, int code, const char *arg);

#endif
