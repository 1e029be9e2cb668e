/* Writers of a laid-out flame tree. Private to render/; render_file() picks one. */
#ifndef SCORCH_SVG_H
#define SCORCH_SVG_H

#include <pthread.h>
#include <stdio.h>
#include <zlib.h>

#include "bytebuf.h"

#include "flame.h"

struct tree_data;
/* td: started on the tree's profile (tree_data_start) */
int svg_write(FILE *f, const struct flame_tree *t, struct tree_data *td,
	      const struct render_opts *o, char *err, size_t errlen);
/* PNG or PDF through cairo, to path (written by the caller's atomic temporary file). */
int cairo_out_write(const char *path, enum render_format fmt, const struct flame_tree *t,
		    const struct render_opts *o, char *err, size_t errlen);

/* scorchTree (treedata.c): every frame's display name, sanitized and sorted, made and
 * compressed by a thread while the tree is built (tree_data_start before flame_build), then
 * the tree and --compact's data, compressed while the frames are written (tree_data_pack,
 * then tree_data_write). index maps a frame id to 1 + its name's sorted position. */
struct tree_data {
	const struct profile *prof;
	uint32_t *index;
	struct bytebuf raw;		/* the bytes not yet compressed */
	size_t raw_len;			/* all bytes, compressed or not */
	struct bytebuf z;		/* the zlib stream so far */
	int level;
	uLong adler;
	const struct flame_tree *tree;	/* tree_data_pack's arguments, for its thread */
	double factor;
	const char *data;
	size_t data_len;
	bool running;
	pthread_t thread;
	int err;
};
/* level: zlib's. Returns 0 or -ENOMEM; the threads' errors come from the calls below. */
int tree_data_start(struct tree_data *td, const struct profile *p, int level);
int tree_data_wait(struct tree_data *td);
/* The tree (and data, or NULL: the --compact frames' JSON) after the names, made and
 * compressed by a thread from here on: t and data must stay until tree_data_write; factor:
 * --factor (tooltips round width * factor). */
int tree_data_pack(struct tree_data *td, const struct flame_tree *t, double factor,
		   const char *data, size_t data_len);
/* `var scorchTree=[RAWLEN,"BASE64"];`, once the stream is done. */
int tree_data_write(FILE *f, struct tree_data *td);
void tree_data_free(struct tree_data *td);

#endif
