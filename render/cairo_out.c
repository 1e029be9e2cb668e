/* PNG and PDF through cairo: the same layout as the SVG (flame_geom, flame_rect, frame colours
 * and titles), with labels measured by cairo itself so they fit the box in the chosen font. */
#include "svg.h"
#include "text.h"
#include "search.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void set_rgb(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

static void hex_rgb(cairo_t *cr, const char *hex, double *r, double *g, double *b)
{
	unsigned v = (unsigned)strtoul(hex + 1, NULL, 16);
	*r = ((v >> 16) & 0xff) / 255.0;
	*g = ((v >> 8) & 0xff) / 255.0;
	*b = (v & 0xff) / 255.0;
	(void)cr;
}

struct label_fit {
	cairo_t *cr;
	const char *name;
	size_t n;
	char *out;
	double max_w;
};

/* does the name cut to i + 1 characters and ".." fit? (true up to some i, false after) */
static bool fits_one_more(const void *ctx, size_t i)
{
	const struct label_fit *l = ctx;
	cairo_text_extents_t ext;
	size_t b = text_prefix_bytes(l->name, l->n, i + 1);
	memcpy(l->out, l->name, b);
	memcpy(l->out + b, "..", 3);
	cairo_text_extents(l->cr, l->out, &ext);
	return ext.x_advance <= l->max_w;
}

/* Longest prefix of label (in characters, with ".." when cut) whose width fits max_w. */
static size_t fit_label(cairo_t *cr, const char *name, size_t n, size_t chars, double max_w,
			char *out)
{
	cairo_text_extents_t ext;
	memcpy(out, name, n);
	out[n] = '\0';
	cairo_text_extents(cr, out, &ext);
	if (ext.x_advance <= max_w)
		return n;
	struct label_fit l = { cr, name, n, out, max_w };
	size_t keep = partition_point(chars, fits_one_more, &l);
	if (keep == 0)
		return 0;
	size_t b = text_prefix_bytes(name, n, keep);
	memcpy(out, name, b);
	memcpy(out + b, "..", 3);
	return b + 2;
}

/* s, sanitized, centred on x */
static int centered(cairo_t *cr, const char *s, double x, double y)
{
	char *buf = text_sanitized(s, strlen(s), NULL);
	if (!buf)
		return -ENOMEM;
	cairo_text_extents_t ext;
	cairo_text_extents(cr, buf, &ext);
	cairo_move_to(cr, x - ext.x_advance / 2, y);
	cairo_show_text(cr, buf);
	free(buf);
	return 0;
}

int cairo_out_write(const char *path, enum render_format fmt, const struct flame_tree *t,
		    const struct render_opts *o, char *err, size_t errlen)
{
	struct flame_geom g;
	struct frame_ctx ctx, *c = &ctx;
	char bg1[8], bg2[8];
	cairo_surface_t *surface = NULL;
	cairo_t *cr = NULL;
	int ret = frame_ctx_init(c, t, o);

	if (ret)
		goto out;
	if (palette_background(o->bgcolors, o->colors, bg1, bg2)) {
		snprintf(err, errlen, "unknown background '%s'", o->bgcolors);
		ret = -EINVAL;
		goto out;
	}
	if (o->cp && (ret = palette_map_load(&c->pmap, o->palette_file))) {
		snprintf(err, errlen, "%s: %s", o->palette_file, strerror(-ret));
		goto out;
	}
	flame_geom_init(&g, t, o);
	if (fmt == RENDER_PDF)
		surface = cairo_pdf_surface_create(path, g.width, g.height);
	else
		surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)g.width, (int)g.height);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cairo: %s", cairo_status_to_string(cairo_surface_status(surface)));
		ret = -EIO;
		goto out;
	}
	cr = cairo_create(surface);

	/* background gradient, 5% to 95% as in the SVG */
	double r1, g1, b1, r2, g2, b2;
	hex_rgb(cr, bg1, &r1, &g1, &b1);
	hex_rgb(cr, bg2, &r2, &g2, &b2);
	cairo_pattern_t *grad = cairo_pattern_create_linear(0, 0, 0, g.height);
	cairo_pattern_add_color_stop_rgb(grad, 0.05, r1, g1, b1);
	cairo_pattern_add_color_stop_rgb(grad, 0.95, r2, g2, b2);
	cairo_rectangle(cr, 0, 0, g.width, g.height);
	bool dark = o->theme == RENDER_THEME_DARK;
	if (dark)	/* the SVG's dark page (flame.css) */
		cairo_set_source_rgb(cr, 0x1c / 255.0, 0x1c / 255.0, 0x21 / 255.0);
	else
		cairo_set_source(cr, grad);
	cairo_fill(cr);
	cairo_pattern_destroy(grad);

	cairo_select_font_face(cr, o->fonttype, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	const char *title_text = o->title && *o->title ? o->title
				 : o->flamechart ? "Flame Chart"
				 : o->inverted ? "Icicle Graph" : "Flame Graph";
	if (dark)
		cairo_set_source_rgb(cr, 0xe6 / 255.0, 0xe6 / 255.0, 0xe6 / 255.0);
	else
		cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_font_size(cr, o->fontsize + 5);
	if ((ret = centered(cr, title_text, (int)(g.width / 2), o->fontsize * 2)))
		goto out;
	cairo_set_font_size(cr, o->fontsize);
	if (o->subtitle && *o->subtitle) {
		if (dark)
			cairo_set_source_rgb(cr, 0x9a / 255.0, 0x9a / 255.0, 0xa2 / 255.0);
		else
			cairo_set_source_rgb(cr, 160 / 255.0, 160 / 255.0, 160 / 255.0);
		if ((ret = centered(cr, o->subtitle, (int)(g.width / 2), o->fontsize * 4)))
			goto out;
	}

	for (size_t i = 0; i < t->n; i++) {
		const struct flame_node *n = &t->nodes[i];
		double x1, y1, x2, y2;
		flame_rect(&g, t, n, &x1, &y1, &x2, &y2);
		if ((ret = frame_name_load(c, n)))
			goto out;
		set_rgb(cr, frame_color(c, n));
		cairo_rectangle(cr, x1, y1, x2 - x1, y2 - y1);
		cairo_fill(cr);
		double room = x2 - x1 - 6;
		if (room < o->fontsize)
			continue;
		size_t ll = fit_label(cr, c->name, c->name_len, c->name_chars, room, c->label);
		if (!ll)
			continue;
		c->label[ll] = '\0';
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, x1 + 3, 3 + (y1 + y2) / 2);
		cairo_show_text(cr, c->label);
	}
	if (fmt == RENDER_PNG) {
		cairo_status_t st = cairo_surface_write_to_png(surface, path);
		if (st != CAIRO_STATUS_SUCCESS) {
			snprintf(err, errlen, "cairo: %s", cairo_status_to_string(st));
			ret = -EIO;
		}
	} else {
		cairo_show_page(cr);
	}
	if (c->pmap && !ret && (ret = palette_map_save(c->pmap, o->palette_file)))
		snprintf(err, errlen, "%s: %s", o->palette_file, strerror(-ret));
out:
	if (cr)
		cairo_destroy(cr);
	if (surface) {
		cairo_surface_finish(surface);
		if (!ret && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
			snprintf(err, errlen, "cairo: %s",
				 cairo_status_to_string(cairo_surface_status(surface)));
			ret = -EIO;
		}
		cairo_surface_destroy(surface);
	}
	palette_map_free(c->pmap);
	frame_ctx_free(c);
	return ret;
}
