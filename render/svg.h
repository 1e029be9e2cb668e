/* Writers of a laid-out flame tree. Private to render/; render_file() picks one. */
#ifndef SCORCH_SVG_H
#define SCORCH_SVG_H

#include <stdio.h>

#include "flame.h"

int svg_write(FILE *f, const struct flame_tree *t, const struct render_opts *o, char *err,
	      size_t errlen);
/* PNG or PDF through cairo, to path (written by the caller's atomic temporary file). */
int cairo_out_write(const char *path, enum render_format fmt, const struct flame_tree *t,
		    const struct render_opts *o, char *err, size_t errlen);

#endif
