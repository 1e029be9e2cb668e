/* Public header of the collapse stage: the profile model, the line reader, and the converters
 * that fold profiler dumps (folded text, `perf script` output, bpftrace maps) into a
 * struct profile. Every converter returns 0 or a negative errno; bad lines go to the profile's
 * diagnostics, a fatal problem to prof_set_error(). */
#ifndef SCORCH_COLLAPSE_H
#define SCORCH_COLLAPSE_H

#include "lineio.h"
#include "profile.h"

enum input_format {
	FMT_AUTO = 0,
	FMT_FOLDED,
	FMT_PERF,	/* `perf script` output */
	FMT_BPFTRACE,	/* bpftrace map dump (@[kstack, ustack, ...]: N) */
	FMT_PPROF,	/* pprof profile.proto, gzipped or not */
};

/* Options with stackcollapse-perf.pl's names and meanings; bpftrace uses the relevant ones. */
struct collapse_opts {
	bool pid;		/* --pid: process name and PID as root frame */
	bool tid;		/* --tid: process name, PID and TID */
	bool kernel;		/* --kernel: annotate kernel frames _[k] */
	bool jit;		/* --jit: annotate JIT frames _[j] */
	bool addrs;		/* --addrs: keep raw addresses / offsets */
	const char *event_filter; /* --event-filter: only this event (perf) */
	const char *sample_type;  /* --sample-type: the pprof value to fold (NULL: cpu or first) */
};

/* Folded text, read exactly as flamegraph.pl reads it (`STACK COUNT` or, for differential
 * input, `STACK BEFORE AFTER`); stacks are added to p. */
int fold_read(struct profile *p, struct line_reader *lr);
/* fold_read, by two threads when the input is a big file in memory (each reads one half
 * into a profile of its own, then the second is merged into p): the same profile, the
 * same diagnostics (with their line numbers), in less time. */
int fold_read_file(struct profile *p, struct line_reader *lr);
/* `perf script` output, folded as stackcollapse-perf.pl folds it. */
int perf_collapse(struct profile *p, struct line_reader *lr, const struct collapse_opts *o);
/* bpftrace map dumps; see README "bpftrace rules". */
int bt_collapse(struct profile *p, struct line_reader *lr, const struct collapse_opts *o);

/* Guesses the format from the start of the input. */
enum input_format collapse_detect(const char *data, size_t len);
const char *collapse_format_name(enum input_format fmt);
int collapse_format_parse(const char *name, enum input_format *out);

/* Opens path ("-" for stdin), detects or applies fmt, and folds it into p. */
int collapse_file(struct profile *p, const char *path, enum input_format fmt,
		  const struct collapse_opts *o);

#endif
