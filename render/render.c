/* PLACEHOLDER: the renderer is being written (issue 3). */
#include "render.h"
#include <errno.h>
#include <string.h>
void render_opts_init(struct render_opts *o)
{
	memset(o, 0, sizeof(*o));
}
enum render_format render_format_for_path(const char *path)
{
	return RENDER_SVG;
}
int render_file(const struct profile *p, const struct render_opts *o, const char *path,
		char *err, size_t errlen)
{
	snprintf(err, errlen, "rendering is not implemented yet");
	return -ENOSYS;
}
