/* The flamegraph.pl option table shared by the drawing commands. */
#include "render_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	R_TITLE = RENDER_OPT_BASE, R_SUBTITLE, R_WIDTH, R_HEIGHT, R_MINWIDTH, R_FONTTYPE,
	R_FONTSIZE, R_FONTWIDTH, R_COUNTNAME, R_NAMETYPE, R_NAMEATTR, R_TOTAL, R_FACTOR, R_COLORS,
	R_BGCOLORS, R_HASH, R_RANDOM, R_CP, R_REVERSE, R_INVERTED, R_FLAMECHART, R_NEGATE, R_NOTES,
	R_COLLAPSE_RECURSION,
	R_ENCODING, R_PALETTE_FILE, R_THEME, R_COMPACT,
};

static const struct option render_options[RENDER_NOPTIONS] = {
	{ "title", required_argument, NULL, R_TITLE },
	{ "subtitle", required_argument, NULL, R_SUBTITLE },
	{ "width", required_argument, NULL, R_WIDTH },
	{ "height", required_argument, NULL, R_HEIGHT },
	{ "minwidth", required_argument, NULL, R_MINWIDTH },
	{ "fonttype", required_argument, NULL, R_FONTTYPE },
	{ "fontsize", required_argument, NULL, R_FONTSIZE },
	{ "fontwidth", required_argument, NULL, R_FONTWIDTH },
	{ "countname", required_argument, NULL, R_COUNTNAME },
	{ "nametype", required_argument, NULL, R_NAMETYPE },
	{ "nameattr", required_argument, NULL, R_NAMEATTR },
	{ "total", required_argument, NULL, R_TOTAL },
	{ "factor", required_argument, NULL, R_FACTOR },
	{ "colors", required_argument, NULL, R_COLORS },
	{ "bgcolors", required_argument, NULL, R_BGCOLORS },
	{ "hash", no_argument, NULL, R_HASH },
	{ "random", no_argument, NULL, R_RANDOM },
	{ "cp", no_argument, NULL, R_CP },
	{ "reverse", no_argument, NULL, R_REVERSE },
	{ "inverted", no_argument, NULL, R_INVERTED },
	{ "flamechart", no_argument, NULL, R_FLAMECHART },
	{ "collapse-recursion", no_argument, NULL, R_COLLAPSE_RECURSION },
	{ "negate", no_argument, NULL, R_NEGATE },
	{ "notes", required_argument, NULL, R_NOTES },
	{ "encoding", required_argument, NULL, R_ENCODING },
	{ "palette-file", required_argument, NULL, R_PALETTE_FILE },
	{ "theme", required_argument, NULL, R_THEME },
	{ "compact", no_argument, NULL, R_COMPACT },
};

void render_options_table(struct option *out, const struct option *base, size_t nbase)
{
	memcpy(out, base, nbase * sizeof(*out));
	memcpy(out + nbase, render_options, sizeof(render_options));
	memset(out + nbase + RENDER_NOPTIONS, 0, sizeof(*out));
}

static bool number(const char *s, double *v, double min, double max)
{
	char *end;
	*v = strtod(s, &end);
	return end != s && !*end && *v >= min && *v <= max;
}

const char *render_option_set(struct render_opts *o, int code, const char *arg)
{
	static char msg[160];
	double v;
	switch (code) {
	case R_TITLE: o->title = arg; break;
	case R_SUBTITLE: o->subtitle = arg; break;
	case R_WIDTH:
		if (!number(arg, &v, 100, 1e6) || v != (int)v)
			goto bad;
		o->width = (int)v;
		break;
	case R_HEIGHT:
		if (!number(arg, &v, 2, 1000) || v != (int)v)
			goto bad;
		o->frame_height = (int)v;
		break;
	case R_MINWIDTH: {
		/* flamegraph.pl: /^([0-9.]+)%?$/ */
		size_t n = strlen(arg);
		char buf[64];
		if (!n || n >= sizeof(buf))
			goto bad;
		memcpy(buf, arg, n + 1);
		o->minwidth_pct = buf[n - 1] == '%';
		if (o->minwidth_pct)
			buf[n - 1] = '\0';
		if (!buf[0] || strspn(buf, "0123456789.") != strlen(buf) || !number(buf, &v, 0, 1e9))
			goto bad;
		o->minwidth = v;
		break;
	}
	case R_FONTTYPE: o->fonttype = arg; break;
	case R_FONTSIZE:
		if (!number(arg, &v, 1, 500))
			goto bad;
		o->fontsize = v;
		break;
	case R_FONTWIDTH:
		if (!number(arg, &v, 0.01, 10))
			goto bad;
		o->fontwidth = v;
		break;
	case R_COUNTNAME: o->countname = arg; break;
	case R_NAMETYPE: o->nametype = arg; break;
	case R_NAMEATTR: o->nameattr_file = arg; break;
	case R_TOTAL:
		if (!number(arg, &v, 0, 1e300))
			goto bad;
		o->total = v;
		break;
	case R_FACTOR:
		if (!number(arg, &v, 1e-300, 1e300))
			goto bad;
		o->factor = v;
		break;
	case R_COLORS:
		if (!palette_known_name(arg)) {
			snprintf(msg, sizeof(msg), "unknown palette '%.60s' (see --help)", arg);
			return msg;
		}
		o->colors = arg;
		break;
	case R_BGCOLORS: o->bgcolors = arg; break;
	case R_COMPACT: o->compact = true; break;
	case R_THEME:
		if (!strcmp(arg, "auto"))
			o->theme = RENDER_THEME_AUTO;
		else if (!strcmp(arg, "light"))
			o->theme = RENDER_THEME_LIGHT;
		else if (!strcmp(arg, "dark"))
			o->theme = RENDER_THEME_DARK;
		else
			goto bad;
		break;
	case R_HASH: o->hash = true; break;
	case R_RANDOM: o->random = true; break;
	case R_CP: o->cp = true; break;
	case R_REVERSE: o->reverse = true; break;
	case R_INVERTED: o->inverted = true; break;
	case R_FLAMECHART: o->flamechart = true; break;
	case R_COLLAPSE_RECURSION: o->collapse_recursion = true; break;
	case R_NEGATE: o->negate = true; break;
	case R_NOTES: o->notes = arg; break;
	case R_ENCODING: break;	/* flamegraph.pl's --encoding: scorch always writes UTF-8 */
	case R_PALETTE_FILE: o->palette_file = arg; break;
	default:
		snprintf(msg, sizeof(msg), "unexpected option");
		return msg;
	}
	return NULL;
bad:
	snprintf(msg, sizeof(msg), "invalid value '%.60s' for --%s", arg,
		 render_options[code - RENDER_OPT_BASE].name);
	return msg;
}
