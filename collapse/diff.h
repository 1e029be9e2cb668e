/* Comparing two profiles: the differential profile (difffolded.pl's `stack before after`) and
 * the CI gate's per-function statistics (inclusive and self shares, two-proportion z-test).
 * Part of collapse/: no printing, no other stage. */
#ifndef SCORCH_DIFF_H
#define SCORCH_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

struct diff_opts {
	bool normalize;		/* -n: scale before's counts to after's total (truncated) */
	bool strip_hex;		/* -s: 0x1234 -> 0x... in frame names */
};

/* Fills out (a new, empty profile) with every stack of before and after, as a differential
 * profile: before's counts in the first column, after's in the second. */
int diff_build(struct profile *out, const struct profile *before, const struct profile *after,
	       const struct diff_opts *o);

enum diff_kind { DIFF_INCLUSIVE, DIFF_SELF };

struct diff_change {
	uint32_t frame;		/* frame id in the differential profile */
	enum diff_kind kind;
	double base_pct, cur_pct;	/* share of all samples, percent */
	double change_pts;	/* cur - base, percentage points */
	double z;		/* two-proportion z statistic */
	bool significant;	/* |change| >= threshold and |z| >= z_critical */
};

struct check_opts {
	double threshold_pts;	/* smallest change that counts, percentage points (2) */
	double alpha;		/* family-wise false alarm rate (0.01) */
	double min_samples;	/* each profile needs at least this many samples (1000) */
};

struct check_result {
	double base_total, cur_total;
	size_t functions;		/* distinct functions compared */
	double z_critical;		/* Bonferroni-corrected for 2 x functions tests */
	struct diff_change *changes;	/* significant ones first, by change (largest first) */
	size_t nchanges, nregressions, nimprovements;
};

/* Compares the per-function shares of a differential profile (from diff_build). Returns 0,
 * -EDOM when a profile has fewer than min_samples samples, or -ENOMEM. */
int check_compare(const struct profile *diff, const struct check_opts *o, struct check_result *r);
void check_result_free(struct check_result *r);
/* The z above which a two-sided normal test rejects at level alpha. */
double check_z_critical(double alpha);

#endif
