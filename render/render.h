/* Public header of the render stage: lays a struct profile out as a flame tree and writes it
 * as an interactive SVG (native, with embedded JS/CSS) or as PNG/PDF through cairo. Options
 * carry flamegraph.pl's names and defaults. Nothing here prints; errors are negative errno
 * values with a message in err (when given). */
#ifndef SCORCH_RENDER_H
#define SCORCH_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "profile.h"

enum render_format { RENDER_AUTO = 0, RENDER_SVG, RENDER_PNG, RENDER_PDF };
/* the page around the frames: auto (an SVG follows prefers-color-scheme, PNG/PDF light) */
enum render_theme { RENDER_THEME_AUTO = 0, RENDER_THEME_LIGHT, RENDER_THEME_DARK };

struct render_opts {
	const char *title;		/* NULL: "Flame Graph" / "Icicle Graph" / "Flame Chart" */
	const char *subtitle;
	int width;			/* image width, px (1200) */
	int frame_height;		/* --height, px per frame (16) */
	double minwidth;		/* 0.1 px, or percent of total when minwidth_pct */
	bool minwidth_pct;
	const char *fonttype;		/* "Verdana" */
	double fontsize;		/* 12 */
	double fontwidth;		/* 0.59 */
	const char *countname;		/* "samples" */
	const char *nametype;		/* "Function:" */
	const char *nameattr_file;	/* --nameattr */
	double total;			/* --total: override the sum of counts (0: none) */
	double factor;			/* --factor: scale counts (1) */
	const char *colors;		/* palette name, "hot" */
	const char *bgcolors;		/* "", yellow, blue, green, grey or #rrggbb */
	enum render_theme theme;	/* --theme */
	bool hash;			/* --hash */
	bool random;			/* --random */
	bool cp;			/* --cp: consistent palette, palette.map */
	const char *palette_file;	/* "palette.map" */
	bool reverse;			/* --reverse */
	bool inverted;			/* --inverted: icicle */
	bool flamechart;		/* --flamechart: time order, no merge */
	bool collapse_recursion;	/* consecutive repeats of a frame drawn as one */
	bool compact;			/* --compact: no <title> per frame; names once, tooltips
					 * made by the script */
	bool negate;			/* --negate: switch differential hues */
	const char *notes;		/* --notes */
	enum render_format format;	/* RENDER_AUTO: by output extension, SVG by default */
};

void render_opts_init(struct render_opts *o);
/* Format from a file name's extension (.svg .png .pdf), RENDER_SVG when none matches. */
enum render_format render_format_for_path(const char *path);
/* True for the palettes --colors accepts. */
bool palette_known_name(const char *colors);

/* Renders p to path ("-" or NULL: stdout, SVG only), written atomically. Returns 0 or -errno;
 * err (size errlen) receives a one-line reason. */
int render_file(const struct profile *p, const struct render_opts *o, const char *path,
		char *err, size_t errlen);

#endif
