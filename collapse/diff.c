/* Differential profiles and the CI gate's statistics.
 *
 * The gate's rule: for each function, its inclusive share (samples whose stack holds it,
 * once per stack even when recursive) and self share (samples where it is the leaf) are
 * compared with a two-proportion z-test. A change counts only when it is both large enough
 * (|change| >= threshold percentage points) and significant (|z| >= the two-sided critical
 * value for a family-wise false alarm rate alpha, Bonferroni-corrected for the 2 x functions
 * tests made). Sampling noise between two recordings of the same workload is binomial, so it
 * stays below both bars; a real shift of a few points in a profile of thousands of samples
 * clears them. */
#include "diff.h"
#include "chars.h"
#include "vec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int add_side(struct profile *out, const struct profile *in, bool after,
		    const struct diff_opts *o)
{
	size_t nf = prof_nframes(in);
	uint32_t *map = malloc((nf ? nf : 1) * sizeof(uint32_t));
	uint32_t *frames = NULL;
	size_t frames_cap = 0;
	char *buf = NULL;
	size_t buf_cap = 0;
	int err = 0;
	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < nf; i++) {
		const char *name = prof_frame_name(in, (uint32_t)i);
		size_t len = prof_frame_len(in, (uint32_t)i);
		if (o->strip_hex) {
			/* difffolded.pl -s: s/0x[0-9a-fA-F]+/0x.../g ("0x1" grows to 5 bytes) */
			/* at most 5/3 of the length: "0x1" is the shortest match */
			if (vec_grow((void **)&buf, &buf_cap, len * 2 + 16, 1, 256)) {
				err = -ENOMEM;
				goto out;
			}
			size_t w = 0;
			for (size_t k = 0; k < len;) {
				if (k + 2 < len && name[k] == '0' && name[k + 1] == 'x' &&
				    ch_hex(name[k + 2]) >= 0) {
					size_t e = k + 2;
					while (e < len && ch_hex(name[e]) >= 0)
						e++;
					memcpy(buf + w, "0x...", 5);
					w += 5;
					k = e;
				} else {
					buf[w++] = name[k++];
				}
			}
			name = buf;
			len = w;
		}
		int64_t id = prof_intern(out, name, len);
		if (id < 0) {
			err = (int)id;
			goto out;
		}
		map[i] = (uint32_t)id;
	}
	for (size_t i = 0; i < prof_nstacks(in); i++) {
		const struct prof_stack *s = prof_stack(in, i);
		const uint32_t *f = prof_stack_frames(in, s);
		if (vec_grow((void **)&frames, &frames_cap, s->depth + 1, sizeof(*frames), 64)) {
			err = -ENOMEM;
			goto out;
		}
		for (uint32_t d = 0; d < s->depth; d++)
			frames[d] = map[f[d]];
		/* a differential input counts by its second column, like flamegraph.pl */
		double v = s->fcount;
		err = prof_add_diff(out, frames, s->depth, after ? 0 : v, after ? v : 0);
		if (err == -EOVERFLOW)	/* merged past the largest count: kept there, said */
			err = prof_diag_overflow(out, after ? "after" : "before", 0);
		if (err)
			goto out;
	}
out:
	free(map);
	free(frames);
	free(buf);
	return err;
}

int diff_build(struct profile *out, const struct profile *before, const struct profile *after,
	       const struct diff_opts *o)
{
	int err = add_side(out, before, false, o);
	if (!err)
		err = add_side(out, after, true, o);
	if (err)
		return err;
	if (o->normalize) {
		double t1 = prof_total(before), t2 = prof_total(after);
		if (t1 != t2 && t1 > 0)
			prof_scale_before(out, t2, t1);
	}
	return 0;
}

/* inverse of the upper tail of the standard normal, by bisection on erfc (exact enough) */
double check_z_critical(double alpha)
{
	double lo = 0, hi = 40;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (erfc(mid / M_SQRT2) > alpha)	/* two-sided tail probability */
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static int cmp_change(const void *a, const void *b)
{
	const struct diff_change *x = a, *y = b;
	if (x->significant != y->significant)
		return x->significant ? -1 : 1;
	double ax = fabs(x->change_pts), ay = fabs(y->change_pts);
	if (ax != ay)
		return ax > ay ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

int check_compare(const struct profile *p, const struct check_opts *o, struct check_result *r)
{
	size_t nf = prof_nframes(p);
	double *inc_b = calloc(nf + 1, sizeof(double)), *inc_a = calloc(nf + 1, sizeof(double));
	double *self_b = calloc(nf + 1, sizeof(double)), *self_a = calloc(nf + 1, sizeof(double));
	size_t *last = malloc((nf + 1) * sizeof(size_t));
	int err = 0;

	memset(r, 0, sizeof(*r));
	if (!inc_b || !inc_a || !self_b || !self_a || !last) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i <= nf; i++)
		last[i] = SIZE_MAX;
	for (size_t i = 0; i < prof_nstacks(p); i++) {
		const struct prof_stack *s = prof_stack(p, i);
		const uint32_t *f = prof_stack_frames(p, s);
		r->base_total += s->before;
		r->cur_total += s->fcount;
		for (uint32_t d = 0; d < s->depth; d++) {
			if (last[f[d]] == i)
				continue;	/* recursion: once per stack */
			last[f[d]] = i;
			inc_b[f[d]] += s->before;
			inc_a[f[d]] += s->fcount;
		}
		if (s->depth) {
			self_b[f[s->depth - 1]] += s->before;
			self_a[f[s->depth - 1]] += s->fcount;
		}
	}
	if (r->base_total < o->min_samples || r->cur_total < o->min_samples) {
		err = -EDOM;
		goto out;
	}
	for (size_t i = 0; i < nf; i++)
		if (inc_b[i] > 0 || inc_a[i] > 0)
			r->functions++;
	r->z_critical = check_z_critical(o->alpha / (2.0 * (double)(r->functions ? r->functions : 1)));
	r->changes = calloc(2 * nf + 1, sizeof(*r->changes));
	if (!r->changes) {
		err = -ENOMEM;
		goto out;
	}
	double n1 = r->base_total, n2 = r->cur_total;
	for (size_t i = 0; i < nf; i++) {
		for (int k = 0; k < 2; k++) {
			double x1 = k ? self_b[i] : inc_b[i], x2 = k ? self_a[i] : inc_a[i];
			if (x1 <= 0 && x2 <= 0)
				continue;
			double p1 = x1 / n1, p2 = x2 / n2, pp = (x1 + x2) / (n1 + n2);
			double se = sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2));
			struct diff_change *c = &r->changes[r->nchanges++];
			c->frame = (uint32_t)i;
			c->kind = k ? DIFF_SELF : DIFF_INCLUSIVE;
			c->base_pct = 100 * p1;
			c->cur_pct = 100 * p2;
			c->change_pts = 100 * (p2 - p1);
			c->z = se > 0 ? (p2 - p1) / se : 0;
			c->significant = fabs(c->change_pts) >= o->threshold_pts &&
					 fabs(c->z) >= r->z_critical;
			if (c->significant && c->change_pts > 0)
				r->nregressions++;
			else if (c->significant)
				r->nimprovements++;
		}
	}
	qsort(r->changes, r->nchanges, sizeof(*r->changes), cmp_change);
out:
	free(inc_b);
	free(inc_a);
	free(self_b);
	free(self_a);
	free(last);
	if (err)
		check_result_free(r);
	return err;
}

void check_result_free(struct check_result *r)
{
	free(r->changes);
	r->changes = NULL;
	r->nchanges = 0;
}
