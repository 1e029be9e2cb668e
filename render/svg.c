/* The SVG writer: flamegraph.pl's picture (same boxes, same tooltips) in fewer bytes (short
 * numbers, hex colours, CSS instead of repeated attributes, no empty labels), with scorch's own
 * script (flame.js) and style (flame.css) embedded, so the file works alone in a browser and
 * still looks complete as an <img> with scripts off. Every name is sanitized and escaped:
 * a function name can never end an element or start a script. */
#include "flame.h"
#include "flame_assets.h"
#include "htab.h"
#include "utf8.h"
#include "vec.h"
#include "svg.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* one thread writes: no stdio locking on the hot path */
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked
#define fputc fputc_unlocked

static void put_num(FILE *f, double v)
{
	char b[48];
	fwrite(b, 1, text_num(v, b), f);
}

static void put_attr_num(FILE *f, const char *name, double v)
{
	fputc(' ', f);
	fputs(name, f);
	fputs("=\"", f);
	put_num(f, v);
	fputc('"', f);
}

/* A string inside the script's configuration object: JSON escapes, and no '<', '>' or '&'
 * (so neither "]]>" nor "</script>" can appear). */
static void put_js_string(FILE *f, const char *s)
{
	json_string(f, s, strlen(s), true);
}

/* Font names go into CSS: keep only characters a font list needs. */
static void put_font(FILE *f, const char *font)
{
	for (const char *p = font; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(" ,-_", *p))
			fputc(*p, f);
}

/* --nameattr: `name<TAB>attr=value<TAB>...` lines; attributes go on the frame's group. */
struct nameattr {
	struct htab_name key;	/* first: htab_find_name reads it */
	char *attrs;	/* tab separated attr=value */
};

struct nameattrs {
	struct nameattr *a;
	size_t n, cap;
	struct htab index;	/* by name: one probe per frame */
};

static void nameattr_free(struct nameattrs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->a[i].key.name);
		free(s->a[i].attrs);
	}
	free(s->a);
	htab_free(&s->index);
}

/* the entry for name, or NULL with *slot where it would go */
static const struct nameattr *nameattr_find(const struct nameattrs *s, const char *name,
					    size_t len, size_t *slot)
{
	long i = htab_find_name(&s->index, s->a, sizeof(*s->a), name, len, slot);
	return i >= 0 ? &s->a[i] : NULL;
}

static int nameattr_load(const char *path, struct nameattrs *s, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char *line = NULL;
	size_t cap = 0, j;
	ssize_t len;
	int ret = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab) {
			snprintf(err, errlen, "%s: invalid line (want NAME<TAB>attr=value...)", path);
			ret = -EINVAL;
			break;
		}
		size_t nl = (size_t)(tab - line);
		if (nameattr_find(s, line, nl, &j))
			continue;	/* the first line for a name wins, as before */
		if (vec_grow((void **)&s->a, &s->cap, s->n + 1, sizeof(*s->a), 64)) {
			ret = -ENOMEM;
			break;
		}
		struct nameattr *a = &s->a[s->n];
		*a = (struct nameattr){ .attrs = strdup(tab + 1) };
		if (!a->attrs || htab_name_init(&a->key, line, nl)) {
			free(a->attrs);
			ret = -ENOMEM;
			break;
		}
		s->n++;
		if ((ret = htab_put(&s->index, j, (uint32_t)s->n - 1, s->n, &s->a[0].key.hash,
				    sizeof(*s->a))))
			break;
	}
	free(line);
	fclose(f);
	return ret;
}

/* Writes the group's attributes; returns the title override, if any (caller frees).
 * flamegraph.pl's href wraps the frame in a link; scorch's frames are the click-to-zoom
 * targets, so links are not supported (a frame's structure stays the same for the script). */
static char *nameattr_write(FILE *f, const struct nameattr *a)
{
	char *title = NULL;
	char *copy = strdup(a->attrs);
	if (!copy)
		return NULL;
	for (char *tok = strtok(copy, "\t"); tok; tok = strtok(NULL, "\t")) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *key = tok, *val = eq + 1;
		if (!strcmp(key, "title")) {
			free(title);
			title = strdup(val);
		} else if (!strcmp(key, "id") || !strcmp(key, "class") || !strcmp(key, "target")) {
			fprintf(f, " %s=\"", key);
			text_xml_str(f, val);
			fputc('"', f);
		}
	}
	free(copy);
	return title;
}

int svg_write(FILE *f, const struct flame_tree *t, struct tree_data *td,
	      const struct render_opts *o, char *err, size_t errlen)
{
	char *data = NULL;
	size_t data_len = 0;
	struct flame_geom g;
	struct frame_ctx ctx, *c = &ctx;
	struct nameattrs attrs = { 0 };
	char bg1[8], bg2[8];
	int ret = frame_ctx_init(c, t, o);

	if (ret)
		goto out;
	if (palette_background(o->bgcolors, o->colors, bg1, bg2)) {
		snprintf(err, errlen, "unknown background '%s' (yellow, blue, green, grey or #rrggbb)",
			 o->bgcolors);
		ret = -EINVAL;
		goto out;
	}
	if (o->nameattr_file && o->compact) {
		snprintf(err, errlen, "--nameattr writes attributes and titles per frame: not with "
				      "--compact");
		ret = -EINVAL;
		goto out;
	}
	if ((ret = tree_data_wait(td))) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	if (o->nameattr_file && (ret = nameattr_load(o->nameattr_file, &attrs, err, errlen)))
		goto out;
	if (o->cp && (ret = palette_map_load(&c->pmap, o->palette_file))) {
		snprintf(err, errlen, "%s: %s", o->palette_file, strerror(-ret));
		goto out;
	}
	flame_geom_init(&g, t, o);
	const char *title_text = o->title && *o->title ? o->title
				 : o->flamechart ? "Flame Chart"
				 : o->inverted ? "Icicle Graph" : "Flame Graph";

	fputs("<?xml version=\"1.0\" standalone=\"no\"?>\n", f);
	fputs("<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" id=\"scorch\"", f);
	if (o->theme != RENDER_THEME_AUTO)	/* flame.css: the page's colours, whatever the system's */
		fputs(o->theme == RENDER_THEME_DARK ? " class=\"dark\"" : " class=\"light\"", f);
	put_attr_num(f, "width", g.width);
	put_attr_num(f, "height", g.height);
	fputs(" viewBox=\"0 0 ", f);
	put_num(f, g.width);
	fputc(' ', f);
	put_num(f, g.height);
	fputs("\">\n<!-- Flame graph drawn by scorch. Click a frame to zoom, Ctrl-F to search, Ctrl-click for its callers and callees, Functions for a table. -->\n", f);
	if (o->notes && *o->notes) {
		/* a comment may not hold "--": notes are escaped as text, dashes spaced */
		fputs("<!-- NOTES: ", f);
		for (const char *p = o->notes; *p; p++) {
			if (*p == '-' && (p[1] == '-' || p[1] == '\0'))
				fputs("- ", f);
			else
				text_xml(f, p, 1);
		}
		fputs(" -->\n", f);
	}
	fprintf(f, "<defs><linearGradient id=\"bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		   "<stop stop-color=\"%s\" offset=\"5%%\"/><stop stop-color=\"%s\" offset=\"95%%\"/>"
		   "</linearGradient></defs>\n", bg1, bg2);
	fputs("<style>text{font-family:", f);
	put_font(f, o->fonttype);
	fputs(";font-size:", f);
	put_num(f, o->fontsize);
	fputs("px}#title{font-size:", f);
	put_num(f, o->fontsize + 5);
	fputs("px}#frames rect{height:", f);
	put_num(f, g.frameheight - g.framepad);
	fputs("px}\n", f);
	fwrite(flame_css, 1, sizeof(flame_css) - 1, f);
	fputs("</style>\n", f);
	fputs("<rect id=\"background\" x=\"0\" y=\"0\"", f);
	put_attr_num(f, "width", g.width);
	put_attr_num(f, "height", g.height);
	fputs(" fill=\"url(#bg)\"/>\n", f);

	fputs("<text id=\"title\"", f);
	put_attr_num(f, "x", (double)(int)(g.width / 2));
	put_attr_num(f, "y", o->fontsize * 2);
	fputc('>', f);
	text_xml_str(f, title_text);
	fputs("</text>\n", f);
	if (o->subtitle && *o->subtitle) {
		fputs("<text id=\"subtitle\"", f);
		put_attr_num(f, "x", (double)(int)(g.width / 2));
		put_attr_num(f, "y", o->fontsize * 4);
		fputc('>', f);
		text_xml_str(f, o->subtitle);
		fputs("</text>\n", f);
	}
	fputs("<text id=\"details\"", f);
	put_attr_num(f, "x", g.xpad);
	put_attr_num(f, "y", g.height - g.ypad2 / 2);
	fputs(" aria-live=\"polite\"> </text>\n<text id=\"unzoom\" class=\"hide\" role=\"button\" "
	      "tabindex=\"0\"", f);
	put_attr_num(f, "x", g.xpad);
	put_attr_num(f, "y", o->fontsize * 2);
	fputs(">Reset Zoom</text>\n<text id=\"search\" role=\"button\" tabindex=\"0\"", f);
	put_attr_num(f, "x", g.width - g.xpad - 100);
	put_attr_num(f, "y", o->fontsize * 2);
	fputs(">Search</text>\n<text id=\"funcs\" role=\"button\" tabindex=\"0\"", f);
	put_attr_num(f, "x", g.width - g.xpad - 200);
	put_attr_num(f, "y", o->fontsize * 2);
	fputs(">Functions</text>\n<text id=\"ignorecase\" role=\"button\" tabindex=\"0\" "
	      "aria-label=\"ignore case\"", f);
	put_attr_num(f, "x", g.width - g.xpad - 16);
	put_attr_num(f, "y", o->fontsize * 2);
	fputs(">ic</text>\n<text id=\"matched\"", f);
	put_attr_num(f, "x", g.width - g.xpad - 100);
	put_attr_num(f, "y", g.height - g.ypad2 / 2);
	fputs("> </text>\n<g id=\"frames\" role=\"group\" aria-label=\"frames: arrows move, Enter "
	      "zooms, Escape resets\">\n", f);

	/* the tree's data is compressed while the frames are written (--compact's data is
	 * made after them) */
	if (!o->compact && (ret = tree_data_pack(td, t, o->factor, NULL, 0))) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	double char_w = o->fontsize * o->fontwidth;
	for (size_t i = 0; i < t->n; i++) {
		const struct flame_node *n = &t->nodes[i];
		double x1, y1, x2, y2;
		flame_rect(&g, t, n, &x1, &y1, &x2, &y2);
		if ((ret = frame_name_load(c, n)))
			goto out;
		size_t tl = o->compact ? 0 : frame_title(c, n);
		struct rgb col = frame_color(c, n);

		const struct nameattr *na = NULL;
		char *title_override = NULL;
		if (attrs.n) {
			size_t fl, slot;
			const char *full = flame_full_name(t, n, &fl);
			na = nameattr_find(&attrs, full, fl, &slot);
		}
		if (na) {
			fputs("<g", f);
			title_override = nameattr_write(f, na);
			fputc('>', f);
		} else {
			fputs("<g>", f);
		}
		if (!o->compact) {
			fputs("<title>", f);
			if (title_override) {
				text_xml_str(f, title_override);
				free(title_override);
			} else {
				text_xml_content(f, c->title, tl);
			}
			fputs("</title>", f);
		}
		fputs("<rect", f);
		/* x and width rounded from the same edges, so neighbours still touch */
		char xb[48], x2b[48];
		text_num(x1, xb);
		text_num(x2, x2b);
		double rx1 = strtod(xb, NULL), rx2 = strtod(x2b, NULL);
		fputs(" x=\"", f);
		fputs(xb, f);
		fputc('"', f);
		put_attr_num(f, "y", y1);
		put_attr_num(f, "width", rx2 - rx1);
		static const char hex[] = "0123456789abcdef";
		char fill[20] = " fill=\"#";
		fill[8] = hex[col.r >> 4];
		fill[9] = hex[col.r & 15];
		fill[10] = hex[col.g >> 4];
		fill[11] = hex[col.g & 15];
		fill[12] = hex[col.b >> 4];
		fill[13] = hex[col.b & 15];
		memcpy(fill + 14, "\"/>", 3);
		fwrite(fill, 1, 17, f);

		double fit = (x2 - x1) / char_w;	/* NaN or huge from absurd counts: clamped */
		size_t max_chars = fit > 0 ? (fit < 1e9 ? (size_t)fit : 1000000000) : 0;
		size_t ll = text_label(c->name, c->name_len, c->name_chars, max_chars, c->label);
		if (ll) {
			fputs("<text", f);
			put_attr_num(f, "x", x1 + 3);
			put_attr_num(f, "y", 3 + (y1 + y2) / 2);
			fputc('>', f);
			text_xml_content(f, c->label, ll);
			fputs("</text>", f);
		}
		fputs("</g>\n", f);
	}
	fputs("</g>\n<script type=\"text/ecmascript\"><![CDATA[\nvar scorchConf={", f);
	fputs("fontsize:", f);
	put_num(f, o->fontsize);
	fprintf(f, ",fontwidth:%g,xpad:", o->fontwidth);
	put_num(f, g.xpad);
	fputs(",frameheight:", f);
	put_num(f, g.frameheight);
	fputs(",top:", f);
	put_num(f, g.ypad1);
	fputs(",bottom:", f);
	put_num(f, g.ypad2);
	fprintf(f, ",inverted:%s,diff:%s,total:%.17g,factor:%.17g,countname:",
		o->inverted ? "true" : "false", t->differential ? "true" : "false",
		t->timemax, o->factor);
	put_js_string(f, o->countname);
	fputs(",nametype:", f);
	put_js_string(f, o->nametype);
	fprintf(f, ",compact:%s};\n", o->compact ? "true" : "false");
	if (o->compact) {
		/* per frame, in document order: its name's index (-1: the root), its count as the
		 * tooltip prints it, and for differential input the change ("+1.23") */
		FILE *m = open_memstream(&data, &data_len);
		if (!m) {
			ret = -ENOMEM;
			snprintf(err, errlen, "%s", strerror(-ret));
			goto out;
		}
		fputc('[', m);
		for (size_t i = 0; i < t->n; i++) {
			const struct flame_node *n = &t->nodes[i];
			char samples[TEXT_NUM_MAX], delta[TEXT_NUM_MAX];
			frame_values(c, n, samples, delta);
			if (!(samples[0] >= '0' && samples[0] <= '9'))	/* never "nan" in a script */
				strcpy(samples, "0");
			long idx = n->name == FLAME_ROOT || n->name >= prof_nframes(t->prof)
					   ? -1 : (long)td->index[n->name] - 1;
			fprintf(m, "%s%ld,%s", i ? "," : "", idx, samples);
			if (t->differential)
				fprintf(m, ",\"%s\"", delta);
		}
		fputc(']', m);
		if (fclose(m)) {
			ret = -ENOMEM;
			snprintf(err, errlen, "%s", strerror(-ret));
			goto out;
		}
	}
	if ((o->compact && (ret = tree_data_pack(td, t, o->factor, data, data_len))) ||
	    (ret = tree_data_write(f, td))) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	fwrite(flame_js, 1, sizeof(flame_js) - 1, f);
	fputs("]]></script>\n</svg>\n", f);

	if (c->pmap && (ret = palette_map_save(c->pmap, o->palette_file))) {
		snprintf(err, errlen, "%s: %s", o->palette_file, strerror(-ret));
		goto out;
	}
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "write error");
	}
out:
	palette_map_free(c->pmap);
	frame_ctx_free(c);
	nameattr_free(&attrs);
	free(data);
	return ret;
}
