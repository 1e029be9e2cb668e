/* speedscope's JSON file format out. */
#ifndef SCORCH_SPEEDSCOPE_H
#define SCORCH_SPEEDSCOPE_H

#include "profile.h"

#include <stdbool.h>
#include <stdio.h>

struct speedscope_meta {
	const char *name;	/* the file's (and single profile's) name; NULL: "scorch profile" */
	double hz;		/* sampling frequency: weights in nanoseconds (else in samples) */
	bool per_process;	/* one profile per root frame (a recording's processes) */
	bool us;		/* counts are microseconds (--off-cpu): weights in them */
};

/* Writes p as a speedscope file: one shared frame table, `sampled` profiles with samples
 * root first and their weights (a differential profile's second column). Returns 0 or -errno. */
int speedscope_write(const struct profile *p, const struct speedscope_meta *m, FILE *out);

#endif
