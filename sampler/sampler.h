/* The sampler stage: loads the BPF program (CO-RE skeleton, nothing compiled at run time),
 * opens one perf event per CPU, records until told to stop, and folds the counted stacks into
 * a struct profile, symbolized through collapse/sym.h. Nothing here prints. */
#ifndef SCORCH_SAMPLER_H
#define SCORCH_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile.h"

#define SMP_MAX_FILTER 256

struct smp_opts {
	unsigned sample_hz;		/* -F (99) */
	bool use_cycles;		/* --event cycles instead of cpu-clock */
	uint32_t pids[SMP_MAX_FILTER];	/* -p (and the command of -- CMD) */
	size_t npids;
	uint32_t tid;			/* -t */
	uint32_t cpus[SMP_MAX_FILTER];	/* -C */
	size_t ncpus;
	bool kernel_only, user_only, no_idle;
	bool per_pid, per_thread, per_cpu;
	unsigned stack_storage;		/* stack map entries (16384) */
	bool inline_frames, addrs;
};

struct smp_stats {
	uint64_t samples;		/* samples the BPF program counted */
	uint64_t lost;			/* samples not counted (counts map full) */
	uint64_t failed_stacks;		/* stacks not captured: collisions, full map, faults */
	uint64_t collisions, stack_map_full, faults, events_lost;
	size_t processes;		/* distinct processes in the profile */
	size_t unique_stacks;
	double elapsed_s;
};

struct smp_session;

/* Checks the rate, loads the program and attaches it to every selected CPU. On failure
 * returns -errno with a one-line reason in err (e.g. not root, no BTF, rate too high). */
int smp_open(struct smp_session **out, const struct smp_opts *o, char *err, size_t errlen);
/* Adds a process to the filter after smp_open (the command of -- CMD, before it runs). */
int smp_add_pid(struct smp_session *s, uint32_t pid);
/* Records until *stop is set, duration_s has passed (0: no limit) or the process child (> 0)
 * has exited (its wait status stored in *child_status). Calls progress about once a second
 * (may be NULL). Returns 0 or -errno. */
int smp_run(struct smp_session *s, double duration_s, volatile sig_atomic_t *stop, pid_t child,
	    int *child_status, void (*progress)(const struct smp_stats *st, void *arg), void *arg);
/* Detaches, reads the maps and adds every sample to p, symbolized. */
int smp_collect(struct smp_session *s, struct profile *p, struct smp_stats *st, char *err,
		size_t errlen);
void smp_close(struct smp_session *s);

/* Parses "1,2,5-7" into out[0..max). Returns the count, or -EINVAL. */
int smp_parse_list(const char *s, uint32_t *out, size_t max);

#endif
