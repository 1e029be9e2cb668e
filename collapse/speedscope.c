/* speedscope's file format (https://www.speedscope.app/file-format-schema.json): one shared
 * frame table and `sampled` profiles whose samples list frame indices root first. */
#include "speedscope.h"
#include "utf8.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the weight stack i has in the profile of root (every stack for UINT32_MAX); 0: not in it */
static double weight(const struct profile *p, size_t i, uint32_t root)
{
	const struct prof_stack *s = prof_stack(p, i);
	double w = prof_differential(p) || prof_fractional(p) ? s->fcount : (double)s->count;
	if (!s->depth || w <= 0 || (root != UINT32_MAX && prof_stack_frames(p, s)[0] != root))
		return 0;
	return w;
}

/* one profile: the stacks whose root frame is root (every stack when root is UINT32_MAX) */
static void write_profile(const struct profile *p, const struct speedscope_meta *m,
			  const uint32_t *ids, uint32_t root, const char *name, size_t name_len,
			  bool first, FILE *out)
{
	size_t ns = prof_nstacks(p);
	/* whole nanoseconds per sample, the period pprof output states too */
	double scale = m->hz > 0 ? floor(1e9 / m->hz + 0.5) : 1, total = 0;
	fputs(first ? "\n  " : ",\n  ", out);
	fputs("{\"type\": \"sampled\", \"name\": ", out);
	json_string(out, name, name_len, false);
	fprintf(out, ", \"unit\": \"%s\", \"startValue\": 0, \"samples\": [",
		m->us ? "microseconds" : m->hz > 0 ? "nanoseconds" : "none");
	bool any = false;
	for (size_t i = 0; i < ns; i++) {
		if (!weight(p, i, root))
			continue;
		const struct prof_stack *s = prof_stack(p, i);
		const uint32_t *f = prof_stack_frames(p, s);
		fputs(any ? ",[" : "[", out);
		for (uint32_t d = 0; d < s->depth; d++)
			fprintf(out, d ? ",%u" : "%u", ids[f[d]] - 1);
		fputc(']', out);
		any = true;
	}
	fputs("], \"weights\": [", out);
	any = false;
	for (size_t i = 0; i < ns; i++) {
		double w = fmin(weight(p, i, root) * scale, DBL_MAX);	/* JSON has no inf */
		if (!w)
			continue;
		total = fmin(total + w, DBL_MAX);
		fprintf(out, any ? ",%.17g" : "%.17g", w);
		any = true;
	}
	fprintf(out, "], \"endValue\": %.17g}", total);
}

int speedscope_write(const struct profile *p, const struct speedscope_meta *m, FILE *out)
{
	static const struct speedscope_meta none;
	if (!m)
		m = &none;
	size_t nf = prof_nframes(p), ns = prof_nstacks(p);
	/* frames used by some stack, numbered in order of first use: ids[frame] - 1 */
	uint32_t *ids = calloc(nf ? nf : 1, sizeof(uint32_t));
	uint32_t *order = malloc((nf ? nf : 1) * sizeof(uint32_t));
	/* the root frames, for one profile per process */
	uint8_t *is_root = calloc(nf ? nf : 1, 1);
	uint32_t *roots = malloc((nf ? nf : 1) * sizeof(uint32_t));
	if (!ids || !order || !is_root || !roots) {
		free(ids);
		free(order);
		free(is_root);
		free(roots);
		return -ENOMEM;
	}
	uint32_t k = prof_used_frames(p, ids, order), nroots = 0;
	for (size_t i = 0; i < ns; i++) {
		const struct prof_stack *s = prof_stack(p, i);
		const uint32_t *f = prof_stack_frames(p, s);
		if (s->depth && !is_root[f[0]]) {
			is_root[f[0]] = 1;
			roots[nroots++] = f[0];
		}
	}
	fputs("{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n"
	      " \"exporter\": \"scorch\", \"name\": ", out);
	const char *name = m->name ? m->name : "scorch profile";
	json_string(out, name, strlen(name), false);
	fputs(", \"activeProfileIndex\": 0,\n \"shared\": {\"frames\": [", out);
	for (uint32_t i = 0; i < k; i++) {
		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
		json_string(out, prof_frame_name(p, order[i]), prof_frame_len(p, order[i]), false);
		fputc('}', out);
	}
	fputs("]},\n \"profiles\": [", out);
	if (m->per_process && nroots > 1) {
		for (uint32_t r = 0; r < nroots; r++)
			write_profile(p, m, ids, roots[r], prof_frame_name(p, roots[r]),
				      prof_frame_len(p, roots[r]), r == 0, out);
	} else {
		write_profile(p, m, ids, UINT32_MAX, name, strlen(name), true, out);
	}
	fputs("]}\n", out);
	free(ids);
	free(order);
	free(is_root);
	free(roots);
	return ferror(out) ? -EIO : 0;
}
