/* PLACEHOLDER: `perf script` converter, being written (issue 2). */
#include "collapse.h"
#include <errno.h>
int perf_collapse(struct profile *p, struct line_reader *lr, const struct collapse_opts *o)
{
	prof_set_error(p, "%s: perf script input is not supported yet", lr_name(lr));
	return -ENOSYS;
}
