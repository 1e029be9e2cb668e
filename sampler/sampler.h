/* The sampler stage: loads the BPF program (CO-RE skeleton, nothing compiled at run time),
 * opens one perf event per CPU, records until told to stop, and hands on raw samples
 * (process image, kernel addresses, user addresses or registers and a stack copy, count) to
 * symbolize/ (unwinding, naming), which fills a struct profile. Nothing here prints. */
#ifndef SCORCH_SAMPLER_H
#define SCORCH_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile.h"
#include "sym.h"

#define SMP_MAX_FILTER 256
#define SMP_STACK_BYTES 8192		/* = SCORCH_STACK_BYTES of bpf/profile.h */
#define SMP_STACK_BYTES_MAX 65528	/* = SCORCH_STACK_BYTES_MAX */

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
	bool dwarf;			/* --call-graph dwarf: copy user stacks, unwind with CFI */
	unsigned stack_bytes;		/* --stack-bytes (0: SMP_STACK_BYTES) */
	enum sym_unwinder unwinder;	/* dwarf: cached rules (default) or plain libdw */
	bool unwind_check;		/* dwarf: unwind with both, count differing stacks */
	bool no_inherit;		/* -p / -- CMD: do not follow forked children */
	bool off_cpu;			/* --off-cpu: time blocked (us) on the stacks that blocked
					 * (frame pointers); perf events only measure run queues */
	uint64_t min_block_us;		/* --off-cpu: shorter blocks are not counted */
	bool runq_only;			/* `scorch runqlen`: run queues only, no stacks */
};

/* One CPU's run queue over the recording (bpf/profile.h's struct runq_hist): samples, those
 * where it was idle, and histograms of the tasks waiting, runqlen.bt's CFS measure and the
 * whole queue's. */
#define SMP_RUNQ_BUCKETS 64
struct smp_runq {
	uint32_t cpu;
	uint64_t samples, idle;
	uint64_t expected;		/* rate x time: an idle CPU may take fewer samples, or none */
	uint64_t cfs[SMP_RUNQ_BUCKETS];
	uint64_t rq[SMP_RUNQ_BUCKETS];
};
/* A histogram's mean and 99th percentile (the least length at or below which 99% of samples
 * lie); 0 for an empty one. */
struct smp_runq_stat {
	double mean;
	unsigned p99;
	uint64_t samples;
};
void smp_runq_stat(const uint64_t *hist, struct smp_runq_stat *out);
/* Sums CPUs' histograms into one (cpu UINT32_MAX). */
void smp_runq_sum(const struct smp_runq *cpus, size_t n, struct smp_runq *out);
/* The share of the time the CPU ran a task: samples that found one, of those expected (an
 * idle CPU's timer may not fire at all: missing samples count as idle). */
double smp_runq_busy(const struct smp_runq *r);
/* One line's verdict on n CPUs: saturated (busy, and tasks wait), busy with short queues, or
 * mostly idle, with the figures that say so. Writes into buf. */
const char *smp_runq_verdict(const struct smp_runq *cpus, size_t n, char *buf, size_t len);

struct btf;
/* Which struct cfs_rq field counts queued entities in this BTF (enum smp_runq_layout of
 * bpf/profile.h): nr_queued (Linux 6.14 on), nr_running (before), or none. */
int smp_runq_layout(const struct btf *btf);
/* The name of a layout, for messages: "cfs_rq.nr_queued". */
const char *smp_runq_layout_name(int layout);

struct smp_stats {
	uint64_t samples;		/* samples the BPF program counted */
	uint64_t lost;			/* samples not counted (counts map full) */
	uint64_t failed_stacks;		/* stacks not captured: collisions, full map, faults */
	uint64_t collisions, stack_map_full, faults, events_lost;
	uint64_t counts_full;		/* samples lost: counts map full (fp) */
	uint64_t pids_full;		/* forked children not followed: process set full */
	/* --call-graph dwarf */
	uint64_t rb_drops;		/* samples dropped: ring buffer full */
	uint64_t copy_short;		/* stack copies cut at --stack-bytes */
	uint64_t copy_faults;		/* user stacks that could not be read */
	uint64_t user_stacks;		/* user stacks unwound */
	uint64_t unwind_ends[SYM_UNW_NENDS];	/* how they ended (SYM_UNW_COMPLETE: whole) */
	uint64_t check_stacks, check_diffs;	/* unwind_check: stacks compared, differing */
	uint64_t check_ref_failed;	/* unwind_check: libdw gave up first, the frames before agree */
	double unwind_us;		/* time spent unwinding */
	size_t processes;		/* distinct processes in the profile */
	size_t unique_stacks;
	double elapsed_s;
};

struct smp_session;

/* Checks the rate, loads the program and attaches it to every selected CPU; samples go into
 * p (owned by the caller). On failure returns -errno with a one-line reason in err (e.g. not
 * root, no BTF, rate too high). */
int smp_open(struct smp_session **out, const struct smp_opts *o, struct profile *p, char *err,
	     size_t errlen);
/* Adds a process to the filter after smp_open (the command of -- CMD, before it runs). */
int smp_add_pid(struct smp_session *s, uint32_t pid);
/* Records until *stop is set, duration_s has passed (0: no limit), the process child (> 0)
 * has exited (its wait status stored in *child_status), or, with -p, every target has
 * exited. Calls progress about once a second (may be NULL). Returns 0 or -errno. */
int smp_run(struct smp_session *s, double duration_s, volatile sig_atomic_t *stop, pid_t child,
	    int *child_status, void (*progress)(const struct smp_stats *st, void *arg), void *arg);
/* Calls cb every `seconds` of smp_run, each time once every sample taken so far is in the
 * profile (a continuous recording takes the interval's stacks, then prof_reset_counts). A
 * non-zero return ends smp_run with it. */
void smp_set_interval(struct smp_session *s, double seconds, int (*cb)(void *arg), void *arg);
/* The run queues of the recorded CPUs, read at collect (or now, while recording): *out
 * (malloc'd, the caller frees) and its length. Returns 0 or -errno. */
int smp_runq_read(struct smp_session *s, struct smp_runq **out, size_t *n);
/* The cfs_rq layout the program reads (enum smp_runq_layout). */
int smp_runq_layout_used(const struct smp_session *s);
/* Detaches, reads what is left and adds every sample to the profile, symbolized. */
int smp_collect(struct smp_session *s, struct smp_stats *st, char *err, size_t errlen);
/* Detaches every probe now (nothing more is sampled); smp_collect still reads the rest. */
void smp_stop(struct smp_session *s);
void smp_close(struct smp_session *s);

/* Parses "1,2,5-7" into out[0..max). Returns the count, or -EINVAL. */
int smp_parse_list(const char *s, uint32_t *out, size_t max);

#endif
