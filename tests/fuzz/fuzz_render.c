/* Fuzz target: folded input rendered to SVG (layout, tooltips, escaping, colours), with the
 * first byte choosing inverted / flame chart / differential negate / minwidth / --compact. */
#include "collapse.h"
#include "profile.h"
#include "render.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t b = size ? data[0] : 0;
	if (size) {
		data++;
		size--;
	}
	struct render_opts o;
	render_opts_init(&o);
	o.inverted = b & 1;
	o.flamechart = b & 2;
	o.negate = b & 4;
	o.minwidth = b & 8 ? 0 : o.minwidth;
	o.countname = b & 16 ? "\xff\xfe long count name \x01" : o.countname;
	o.compact = b & 32;
	struct profile *p = prof_new();
	struct line_reader *lr;
	char err[256];
	if (p && o.flamechart)
		prof_keep_order(p);
	if (p && lr_open_mem(&lr, (const char *)data, size, "fuzz") == 0) {
		if (fold_read(p, lr) == 0 && prof_nstacks(p))
			render_file(p, &o, "/dev/null", err, sizeof(err));
		lr_close(lr);
	}
	prof_free(p);
	return 0;
}
