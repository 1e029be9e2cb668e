/* pprof (profile.proto) out and in. */
#ifndef SCORCH_PPROF_H
#define SCORCH_PPROF_H

#include "profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a recording knows beyond its stacks (zero: unknown). */
struct pprof_meta {
	double hz;		/* sampling frequency: adds cpu/nanoseconds with period 1e9/hz */
	int64_t time_nanos;	/* start, ns since the epoch */
	int64_t duration_nanos;
	bool off_cpu_us;	/* counts are microseconds off the CPU: sample type
				 * off_cpu/microseconds instead of samples/count (hz unused) */
};

/* Writes p as a gzipped pprof profile: sample types samples/count (and cpu/nanoseconds with
 * a frequency, or before/count for a differential profile), one function and location per
 * frame name. Fractional counts cannot be stored: -EINVAL with the reason in err. */
int pprof_write(const struct profile *p, const struct pprof_meta *m, FILE *out, char *err,
		size_t errlen);

/* Folds the (ungzipped) pprof profile data[0..len) into p: the value of sample type
 * sample_type, or of "cpu" when there is one, or the first. Inline lines become frames.
 * Returns 0 or -errno with prof_error(p) set. */
int pprof_read(struct profile *p, const void *data, size_t len, const char *name,
	       const char *sample_type);

/* Whether data (ungzipped) looks like a pprof profile rather than text; more: the input goes
 * on past len (a field may run past the end). */
bool pprof_detect(const void *data, size_t len, bool more);

#endif
