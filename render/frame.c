/* What every writer needs of a frame, computed as flamegraph.pl computes it: its rectangle,
 * its tooltip text and its colour. */
#include "flame.h"
#include "text.h"
#include "vec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void flame_geom_init(struct flame_geom *g, const struct flame_tree *t, const struct render_opts *o)
{
	memset(g, 0, sizeof(*g));
	g->fontsize = o->fontsize;
	g->fontwidth = o->fontwidth;
	g->xpad = 10;
	g->ypad1 = o->fontsize * 3;
	g->ypad2 = o->fontsize * 2 + 10;
	g->ypad3 = o->fontsize * 2;
	g->frameheight = o->frame_height;
	g->framepad = 1;
	g->inverted = o->inverted;
	g->width = o->width;
	g->height = (t->depthmax + 1) * g->frameheight + g->ypad1 + g->ypad2;
	if (o->subtitle && *o->subtitle)
		g->height += g->ypad3;
	g->widthpertime = t->timemax > 0 ? (g->width - 2 * g->xpad) / t->timemax : 0;
}

void flame_rect(const struct flame_geom *g, const struct flame_tree *t, const struct flame_node *n,
		double *x1, double *y1, double *x2, double *y2)
{
	*x1 = g->xpad + n->stime * g->widthpertime;
	*x2 = g->xpad + n->etime * g->widthpertime;
	if (!g->inverted) {
		*y1 = g->height - g->ypad2 - (n->depth + 1) * g->frameheight + g->framepad;
		*y2 = g->height - g->ypad2 - n->depth * g->frameheight;
	} else {
		*y1 = g->ypad1 + n->depth * g->frameheight;
		*y2 = g->ypad1 + (n->depth + 1) * g->frameheight - g->framepad;
	}
}

int frame_ctx_init(struct frame_ctx *c, const struct flame_tree *t, const struct render_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->o = o;
	c->countname = text_sanitized(o->countname, strlen(o->countname), NULL);
	return c->countname ? 0 : -ENOMEM;
}

void frame_ctx_free(struct frame_ctx *c)
{
	free(c->countname);
	free(c->name);
	free(c->title);
	free(c->label);
}

int frame_name_load(struct frame_ctx *c, const struct flame_node *n)
{
	size_t len;
	const char *s = flame_name(c->t, n, &len);
	if (n->name == FLAME_ROOT) {	/* the root's label; its tooltip is "all (...)" too */
		s = "all";
		len = 3;
	}
	size_t need = len * 3 + 4;
	if (vec_grow((void **)&c->name, &c->name_cap, need, 1, 256) ||
	    vec_grow((void **)&c->label, &c->label_cap, need + 8, 1, 256) ||
	    vec_grow((void **)&c->title, &c->title_cap,
		     need + strlen(c->countname) + 3 * TEXT_NUM_MAX + 64, 1, 256))
		return -ENOMEM;
	c->name_len = text_sanitize(s, len, c->name, need, &c->name_chars);
	c->name[c->name_len] = '\0';
	return 0;
}

void frame_values(const struct frame_ctx *c, const struct flame_node *n,
		  char samples[TEXT_NUM_MAX], char delta[TEXT_NUM_MAX])
{
	const struct render_opts *o = c->o;
	/* sprintf "%.0f" of the width in samples, times --factor; the percentage is of that
	 * rounded number, as in flamegraph.pl */
	snprintf(samples, TEXT_NUM_MAX, "%.0f", (n->etime - n->stime) * o->factor);
	delta[0] = '\0';
	if (n->has_delta) {
		double d = o->negate ? -n->delta : n->delta;
		if (d == 0)
			d = 0;	/* no "-0.00%": Perl negates an integer 0 to 0 */
		snprintf(delta, TEXT_NUM_MAX, "%s%.2f", d > 0 ? "+" : "",
			 100 * (d / (c->t->timemax * o->factor)));
	}
}

size_t frame_title(struct frame_ctx *c, const struct flame_node *n)
{
	const struct render_opts *o = c->o;
	const struct flame_tree *t = c->t;
	char *buf = c->title;
	const size_t cap = c->title_cap;
	const char *countname = c->countname;
	char samples_txt[TEXT_NUM_MAX];
	char samples_s[TEXT_NUM_MAX], deltapct[TEXT_NUM_MAX];
	frame_values(c, n, samples_s, deltapct);
	double samples = strtod(samples_s, NULL);
	text_commas(samples, samples_txt);
	size_t len = 0;
	if (n->name == FLAME_ROOT && n->depth == 0)
		return (size_t)snprintf(buf, cap, "all (%s %s, 100%%)", samples_txt, countname);
	memcpy(buf, c->name, c->name_len);
	len = c->name_len;
	double pct = 100 * (samples / (t->timemax * o->factor));
	if (!n->has_delta) {
		len += (size_t)snprintf(buf + len, cap - len, " (%s %s, %.2f%%)",
					samples_txt, countname, pct);
	} else {
		len += (size_t)snprintf(buf + len, cap - len, " (%s %s, %.2f%%; %s%%)",
					samples_txt, countname, pct, deltapct);
	}
	return len;
}

struct rgb frame_color(struct frame_ctx *c, const struct flame_node *n)
{
	const struct render_opts *o = c->o;
	size_t len;
	const char *full = flame_full_name(c->t, n, &len);
	if (n->name != FLAME_ROOT && len == 2 && !memcmp(full, "--", 2))
		return (struct rgb){ 160, 160, 160 };
	if (n->name != FLAME_ROOT && len == 1 && full[0] == '-')
		return (struct rgb){ 200, 200, 200 };
	if (n->has_delta)
		return palette_scale(n->delta, c->t->maxdelta, o->negate);
	if (c->pmap)
		return palette_map_color(c->pmap, o->colors, full, len, o->hash, o->random);
	return palette_color(o->colors, full, len, o->hash, o->random);
}
