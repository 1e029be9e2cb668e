/* The output choice of collapse, record, profile and diff: folded text, pprof, speedscope
 * or a graph, by --output-format or by the output file's extension. */
#include "cli.h"
#include "pprof.h"
#include "speedscope.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const struct { const char *name; enum out_kind kind; } kinds[] = {
	{ "folded", OUT_FOLDED }, { "pprof", OUT_PPROF }, { "speedscope", OUT_SPEEDSCOPE },
	{ "svg", OUT_SVG }, { "png", OUT_PNG }, { "pdf", OUT_PDF },
};

int cli_out_kind_parse(const char *cmd, const char *name, enum out_kind *k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(name, kinds[i].name)) {
			*k = kinds[i].kind;
			return 0;
		}
	cli_err(cmd, "unknown output format '%s' (folded, pprof, speedscope, svg, png or pdf)",
		name);
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && !strcasecmp(s + n - k, suffix);
}

enum out_kind cli_out_kind(enum out_kind explicit_kind, const char *path, enum out_kind dflt)
{
	if (explicit_kind != OUT_AUTO)
		return explicit_kind;
	if (path && strcmp(path, "-")) {
		if (ends_with(path, ".pb.gz") || ends_with(path, ".pprof") || ends_with(path, ".pb"))
			return OUT_PPROF;
		if (ends_with(path, ".speedscope.json"))
			return OUT_SPEEDSCOPE;
		if (ends_with(path, ".svg"))
			return OUT_SVG;
		if (ends_with(path, ".png"))
			return OUT_PNG;
		if (ends_with(path, ".pdf"))
			return OUT_PDF;
	}
	return dflt;
}

enum render_format cli_out_render_format(enum out_kind k)
{
	return k == OUT_PNG ? RENDER_PNG : k == OUT_PDF ? RENDER_PDF : RENDER_SVG;
}

int cli_write_profile(const char *cmd, const struct profile *p, const char *path,
		      enum out_kind k, const struct cli_out_meta *m)
{
	static const struct cli_out_meta none;
	if (!m)
		m = &none;
	if (k == OUT_FOLDED)
		return cli_write_folded(cmd, p, path);
	bool to_stdout = !path || !strcmp(path, "-");
	if (k == OUT_PPROF && to_stdout && isatty(STDOUT_FILENO)) {
		cli_err(cmd, "pprof is gzipped binary: write it to a file (-o FILE.pb.gz) or a pipe");
		return -1;
	}
	char err[256] = "";
	struct atomic_out out;
	int ret = aout_open(&out, path);
	if (!ret) {
		if (k == OUT_PPROF) {
			struct pprof_meta pm = { m->off_cpu_us ? 0 : m->hz, m->time_nanos,
					       m->duration_nanos, m->off_cpu_us };
			ret = pprof_write(p, &pm, out.fp, err, sizeof(err));
		} else {
			struct speedscope_meta sm = { m->name, m->off_cpu_us ? 0 : m->hz, m->per_process,
						    m->off_cpu_us };
			ret = speedscope_write(p, &sm, out.fp);
		}
	}
	if (!ret)
		ret = aout_commit(&out);
	else
		aout_abort(&out);
	if (ret) {
		cli_err(cmd, "%s: %s", to_stdout ? "<stdout>" : path, err[0] ? err : strerror(-ret));
		return -1;
	}
	return 0;
}
