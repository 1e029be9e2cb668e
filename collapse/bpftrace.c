/* PLACEHOLDER: bpftrace dump converter, being written (issue 2). */
#include "collapse.h"
#include <errno.h>
int bt_collapse(struct profile *p, struct line_reader *lr, const struct collapse_opts *o)
{
	prof_set_error(p, "%s: bpftrace input is not supported yet", lr_name(lr));
	return -ENOSYS;
}
