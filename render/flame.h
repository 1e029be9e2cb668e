/* The flame tree: the layout render/ draws, built from a struct profile by merging stacks in
 * flamegraph.pl's order (sorted folded text, or input order for a flame chart). Nodes are in
 * preorder (a parent before its children, siblings left to right), so a node's subtree is the
 * contiguous range [i, i + span). Private to render/. */
#ifndef SCORCH_FLAME_H
#define SCORCH_FLAME_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "render.h"
#include "text.h"

#define FLAME_ROOT UINT32_MAX	/* the name id of the root frame ("all") */
/* At most this many frames are drawn (the root always): past it, the narrowest go, whatever
 * --minwidth says, so a huge profile's SVG stays a DOM a browser handles (an SVG frame is at
 * most 4 elements: g, title, rect, text) */
#define FLAME_MAX_FRAMES 50000

struct flame_node {
	uint32_t name;		/* frame id in the profile, or FLAME_ROOT */
	uint32_t depth;
	uint32_t span;		/* 1 + number of kept descendants (set after pruning) */
	bool has_delta;		/* (here: 40 bytes a node, not 48; huge profiles have millions) */
	double stime, etime;	/* in samples: the node covers [stime, etime) */
	double delta;		/* differential: after - before of stacks ending here */
};

/* A frame too narrow to draw: the SVG's script still counts it when it searches */
struct flame_elided {
	uint32_t name;		/* frame id in the profile */
	uint32_t depth;
	uint32_t next;		/* the kept node that follows it in preorder (n: none) */
	double self;		/* its width less its children's, in samples */
};

struct flame_tree {
	const struct profile *prof;
	struct flame_node *nodes;	/* kept nodes, preorder */
	size_t n;
	struct flame_elided *elided;	/* the nodes pruned, preorder */
	size_t nelided;
	uint32_t depthmax;
	double time;		/* sum of all counts */
	double timemax;		/* time, or --total when larger */
	double maxdelta;	/* largest |delta| of one input stack, at least 1 */
	bool differential;
};

/* Builds the tree with o's reverse, flamechart, total and minwidth. p must have been filled
 * with prof_keep_order() for a flame chart. Returns 0 or -errno. */
int flame_build(struct flame_tree *t, const struct profile *p, const struct render_opts *o);
void flame_free(struct flame_tree *t);

/* The frame's display name with a trailing `_[k]` `_[w]` `_[i]` `_[j]` annotation removed
 * (flamegraph.pl shows names without it), and its full name. */
const char *flame_name(const struct flame_tree *t, const struct flame_node *n, size_t *len);
const char *flame_full_name(const struct flame_tree *t, const struct flame_node *n, size_t *len);

/* flamegraph.pl's colours */
struct rgb {
	uint8_t r, g, b;
};
/* A frame's colour for palette `colors` (hot, mem, io, wakeup, chain, java, js, perl, red,
 * green, blue, aqua, yellow, purple, orange), keyed on the full name (annotations included). */
struct rgb palette_color(const char *colors, const char *name, size_t len, bool hash, bool random);
/* Differential colour: red when grown, blue when shrunk, white when unchanged. */
struct rgb palette_scale(double delta, double maxdelta, bool negate);
/* Background gradient of --bgcolors (or the palette's default). Returns 0, or -EINVAL. */
int palette_background(const char *bgcolors, const char *colors, char c1[8], char c2[8]);


/* --cp: a palette map (`name->rgb(r,g,b)` lines) read before and written after drawing */
struct palette_map;
int palette_map_load(struct palette_map **out, const char *path);
struct rgb palette_map_color(struct palette_map *m, const char *colors, const char *name,
			     size_t len, bool hash, bool random);
int palette_map_save(struct palette_map *m, const char *path);
void palette_map_free(struct palette_map *m);


/* Geometry and text of one frame, shared by the SVG and cairo writers (flamegraph.pl's
 * layout: padding, title rows, bottom rows, 1px gap between rows). */
struct flame_geom {
	double width, height;		/* image size */
	double xpad, ypad1, ypad2, ypad3;
	double frameheight, framepad;
	double widthpertime;
	double fontsize, fontwidth;
	bool inverted;
};
void flame_geom_init(struct flame_geom *g, const struct flame_tree *t, const struct render_opts *o);
void flame_rect(const struct flame_geom *g, const struct flame_tree *t, const struct flame_node *n,
		double *x1, double *y1, double *x2, double *y2);

/* Context for titles and colours of one rendering, and the text buffers of its frames: each
 * as long as the frame needs (names are never cut). */
struct frame_ctx {
	const struct flame_tree *t;
	const struct render_opts *o;
	struct palette_map *pmap;	/* --cp */
	char *countname;		/* --countname, sanitized */
	char *name;			/* sanitized display name (frame_name_load) */
	size_t name_len, name_chars, name_cap;
	char *title;			/* its tooltip (frame_title) */
	size_t title_cap;
	char *label;			/* room for a label cut from the name */
	size_t label_cap;
};
int frame_ctx_init(struct frame_ctx *c, const struct flame_tree *t, const struct render_opts *o);
void frame_ctx_free(struct frame_ctx *c);
/* Loads the display name of n into c->name (sanitized UTF-8, annotation stripped) and makes
 * room for its title and label. Returns 0 or -ENOMEM. */
int frame_name_load(struct frame_ctx *c, const struct flame_node *n);
/* flamegraph.pl's tooltip for n (call frame_name_load first): `NAME (1,234 samples, 5.67%)`,
 * `all (...)` for the root, `NAME (N samples, P%; +D%)` for differential input. Unescaped,
 * sanitized, in c->title. Returns its length. */
size_t frame_title(struct frame_ctx *c, const struct flame_node *n);
/* The numbers of n's tooltip as it prints them: the count (times --factor, no separators) and,
 * for differential input, the signed change in percent ("+1.23"; "" otherwise). */
void frame_values(const struct frame_ctx *c, const struct flame_node *n,
		  char samples[TEXT_NUM_MAX], char delta[TEXT_NUM_MAX]);
struct rgb frame_color(struct frame_ctx *c, const struct flame_node *n);

#endif
