/* The render stage's entry point: options with flamegraph.pl's defaults, the flame tree, and
 * the writer for the output format, always through a temporary file renamed into place. */
#include "render.h"
#include "flame.h"
#include "lineio.h"
#include "svg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void render_opts_init(struct render_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->width = 1200;
	o->frame_height = 16;
	o->minwidth = 0.1;
	o->fonttype = "Verdana";
	o->fontsize = 12;
	o->fontwidth = 0.59;
	o->countname = "samples";
	o->nametype = "Function:";
	o->factor = 1;
	o->colors = "hot";
	o->bgcolors = "";
	o->palette_file = "palette.map";
}

enum render_format render_format_for_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (dot && !strcasecmp(dot, ".png"))
		return RENDER_PNG;
	if (dot && !strcasecmp(dot, ".pdf"))
		return RENDER_PDF;
	return RENDER_SVG;
}

int render_file(const struct profile *p, const struct render_opts *o, const char *path,
		char *err, size_t errlen)
{
	struct flame_tree t;
	enum render_format fmt = o->format ? o->format : render_format_for_path(path);
	bool to_stdout = !path || !strcmp(path, "-");
	int ret;

	err[0] = '\0';
	if (!palette_known_name(o->colors)) {
		snprintf(err, errlen, "unknown palette '%s'", o->colors);
		return -EINVAL;
	}
	if (to_stdout && fmt != RENDER_SVG) {
		snprintf(err, errlen, "PNG and PDF need an output file (-o FILE)");
		return -EINVAL;
	}
	if (prof_total(p) <= 0) {
		snprintf(err, errlen, "no stack counts found");
		return -ENODATA;
	}
	struct profile *folded = NULL;	/* --collapse-recursion: the profile drawn instead */
	if (o->collapse_recursion) {
		if (!(folded = prof_new())) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		if (o->flamechart)
			prof_keep_order(folded);
		if ((ret = prof_fold_recursion(folded, p))) {
			snprintf(err, errlen, "%s", strerror(-ret));
			prof_free(folded);
			return ret;
		}
		p = folded;
	}
	/* the SVG's name list is made by a thread while the tree is built; --compact is for
	 * size: zlib's best, else its fastest (huge profiles prune the most) */
	struct tree_data td;
	if (fmt == RENDER_SVG && (ret = tree_data_start(&td, p, o->compact ? 9 : 1))) {
		snprintf(err, errlen, "%s", strerror(-ret));
		prof_free(folded);
		return ret;
	}
	ret = flame_build(&t, p, o);
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		if (fmt == RENDER_SVG)
			tree_data_free(&td);
		prof_free(folded);
		return ret;
	}
	struct atomic_out out;
	if ((ret = aout_open(&out, path))) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto done;
	}
	if (fmt == RENDER_SVG) {
		ret = svg_write(out.fp, &t, &td, o, err, errlen);
	} else {
		/* cairo writes the file itself: give it the temporary path */
		fflush(out.fp);
		ret = cairo_out_write(out.tmp_path ? out.tmp_path : path, fmt, &t, o, err, errlen);
	}
	if (ret) {
		aout_abort(&out);
		goto done;
	}
	if ((ret = aout_commit(&out)))
		snprintf(err, errlen, "%s: %s", to_stdout ? "<stdout>" : path, strerror(-ret));
done:
	if (fmt == RENDER_SVG)
		tree_data_free(&td);
	flame_free(&t);
	prof_free(folded);	/* after the tree, which names frames through it */
	return ret;
}
