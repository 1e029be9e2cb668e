/* The sampler: one software cpu-clock (or hardware cycles) perf event per online CPU, each
 * with the BPF program attached through a bpf_link, so nothing stays attached if scorch dies.
 * While recording, the ring buffer announces new process images and their memory maps are
 * taken at once (a process that exits before the end is still symbolized). Every sample
 * becomes a raw sample (struct smp_raw) and goes through one path into the profile:
 * --call-graph fp reads the counts map at the end (stacks walked by the kernel);
 * --call-graph dwarf drains the ring buffer on a short timer, each sample's copied user stack
 * unwound by symbolize/ while its process image is known. */
#include "sampler.h"
#include <linux/types.h>

#include "../bpf/profile.h"
#include "profile.skel.h"
#include "sym.h"
#include "vec.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

_Static_assert(SMP_STACK_BYTES == SCORCH_STACK_BYTES &&
	       SMP_STACK_BYTES_MAX == SCORCH_STACK_BYTES_MAX, "stack copy limits");

#define DWARF_POLL_MS 20

struct smp_session {
	struct smp_opts o;
	struct profile_bpf *skel;
	struct bpf_link **links;
	int *pfds;
	int nlinks;
	struct ring_buffer *rb;
	struct sym_session *sym;
	double t_start, t_end;
	double interval_s;		/* smp_set_interval */
	int (*on_interval)(void *arg);
	void *interval_arg;
	int ncpus_possible;
	struct profile *p;		/* where samples go (the caller's) */
	uint32_t *cpu_ids;		/* the CPUs with a perf event (kept after detach) */
	size_t ncpu_ids;
	int runq_layout;		/* enum smp_runq_layout */
	uint32_t frames[3 + 8 * SCORCH_MAX_STACK_DEPTH];	/* one sample's frame ids */
	uint64_t pcs[SCORCH_MAX_STACK_DEPTH], pcs_ref[SCORCH_MAX_STACK_DEPTH];
	uint32_t *tgids;		/* processes seen (sorted and made unique as it grows) */
	size_t ntgids, tgids_cap;
	struct smp_stats dw;		/* what user space counts of dwarf samples */
	uint64_t *ended;		/* fp: (pid << 32 | gen) of ended processes, let go of */
	size_t nended, ended_cap;	/* after the next drain of the counts map */
};

/* A raw sample: one task of one process image, its stacks as addresses (leaf first: the
 * kernel's, and the user's walked by the kernel or unwound from a copy), and a count. Both
 * call-graph modes end here and share everything after. */
struct smp_raw {
	uint32_t tgid, gen, pid, cpu;
	const char *comm;		/* SCORCH_COMM_LEN bytes, maybe unterminated */
	const uint64_t *kips, *uips;
	size_t nk, nu;
	bool utruncated;		/* the user stack's outer frames are missing */
	bool ulost, klost;		/* a stack could not be captured (counted in BPF) */
	uint64_t count;
};

static int emit(struct smp_session *s, const struct smp_raw *r);
static int drain_counts(struct smp_session *s);

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int smp_parse_list(const char *s, uint32_t *out, size_t max)
{
	size_t n = 0;
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -EINVAL;
			s = end;
		}
		for (unsigned long v = a; v <= b; v++) {
			if (n == max || v > UINT32_MAX)
				return -E2BIG;
			out[n++] = (uint32_t)v;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
		else if (*s == '\n')
			break;
	}
	return (int)n;
}

static int online_cpus(uint32_t *cpus, size_t max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char buf[4096];
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return smp_parse_list(buf, cpus, max);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* --call-graph dwarf: unwind the copied user stack now, while the process image is known */
static int on_sample(struct smp_session *s, const struct smp_sample_event *e, size_t size)
{
	if (size < sizeof(*e) || e->ustack_bytes > size - sizeof(*e))
		return 0;
	struct smp_raw r = { .tgid = e->tgid, .gen = e->gen, .pid = e->pid, .cpu = e->cpu,
			     .comm = e->comm, .count = 1 };
	r.klost = e->kstack_bytes < 0;
	if (e->kstack_bytes > 0) {
		r.kips = (const uint64_t *)e->kips;
		r.nk = (size_t)e->kstack_bytes / sizeof(__u64);
		if (r.nk > SCORCH_MAX_STACK_DEPTH)
			r.nk = SCORCH_MAX_STACK_DEPTH;
	}
	if (e->flags & SMP_SF_USER) {
		struct sym_stack_copy c = { .regs = (const uint64_t *)e->regs, .bytes = e->stack,
					    .len = e->ustack_bytes, .tid = e->pid };
		enum sym_unwind_end end, end_ref;
		double t0 = now_s();
		int n = sym_unwind(s->sym, e->tgid, e->gen, s->o.unwinder, &c, s->pcs,
				   SCORCH_MAX_STACK_DEPTH, &end);
		s->dw.unwind_us += (now_s() - t0) * 1e6;
		if (n < 0)
			return n;
		if (s->o.unwind_check) {
			enum sym_unwinder other = s->o.unwinder == SYM_UNWIND_LIBDW ? SYM_UNWIND_CACHED
										   : SYM_UNWIND_LIBDW;
			int m = sym_unwind(s->sym, e->tgid, e->gen, other, &c, s->pcs_ref,
					   SCORCH_MAX_STACK_DEPTH, &end_ref);
			if (m < 0)
				return m;
			s->dw.check_stacks++;
			/* where plain libdw gave up (no usable caller) before the cache did, there
			 * is nothing to compare with: counted apart (seen in ld.so while a process
			 * starts) */
			if (end_ref == SYM_UNW_BAD && m < n &&
			    !memcmp(s->pcs, s->pcs_ref, (size_t)m * sizeof(uint64_t)))
				s->dw.check_ref_failed++;
			else if (m != n || memcmp(s->pcs, s->pcs_ref, (size_t)n * sizeof(uint64_t)))
				s->dw.check_diffs++;
		}
		r.uips = s->pcs;
		r.nu = (size_t)n;
		r.utruncated = end != SYM_UNW_COMPLETE;
		s->dw.user_stacks++;
		s->dw.unwind_ends[end]++;
	}
	return emit(s, &r);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct smp_session *s = ctx;
	const struct smp_event *e = data;
	if (size < sizeof(__u32))
		return 0;
	if (e->type == SMP_EV_SAMPLE)
		return on_sample(s, data, size);
	if (size < sizeof(*e))
		return 0;
	if (e->type == SMP_EV_EXIT) {
		/* dwarf: its samples came before this in the ring, all symbolized; fp: some may
		 * still wait in the counts map until the next drain */
		if (s->o.dwarf)
			sym_forget_pid(s->sym, e->tgid, e->gen);
		else if (!vec_grow((void **)&s->ended, &s->ended_cap, s->nended + 1,
				   sizeof(*s->ended), 256))
			s->ended[s->nended++] = (uint64_t)e->tgid << 32 | e->gen;
	} else if (e->type == SMP_EV_REFRESH)
		sym_refresh_pid(s->sym, e->tgid, e->gen);
	else
		sym_snapshot_pid(s->sym, e->tgid, e->gen);	/* gone already: [unknown] */
	return 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int smp_open(struct smp_session **out, const struct smp_opts *o, struct profile *p, char *err,
	     size_t errlen)
{
	struct smp_session *s = calloc(1, sizeof(*s));
	uint32_t cpus[1024];
	int ncpus, ret = 0;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->p = p;
#ifndef __x86_64__
	if (o->dwarf) {
		snprintf(err, errlen, "--call-graph dwarf is implemented for x86_64 only "
				      "(use --call-graph fp)");
		ret = -ENOTSUP;
		goto fail;
	}
#endif
	if (o->off_cpu && o->dwarf) {
		snprintf(err, errlen, "--off-cpu walks user stacks with frame pointers (-g fp): "
				      "a DWARF copy at every context switch would cost too much");
		ret = -EINVAL;
		goto fail;
	}
	if (!getenv("SCORCH_DEBUG_BPF"))
		libbpf_set_print(silent_print);

	long max_rate = read_long("/proc/sys/kernel/perf_event_max_sample_rate");
	if (max_rate > 0 && o->sample_hz > (unsigned long)max_rate) {
		snprintf(err, errlen, "-F %u is above kernel.perf_event_max_sample_rate (%ld)",
			 o->sample_hz, max_rate);
		ret = -EINVAL;
		goto fail;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux): "
				      "scorch needs CONFIG_DEBUG_INFO_BTF");
		ret = -ENOTSUP;
		goto fail;
	}
	ncpus = o->ncpus ? (int)o->ncpus : online_cpus(cpus, 1024);
	if (o->ncpus)
		memcpy(cpus, o->cpus, o->ncpus * sizeof(uint32_t));
	if (ncpus <= 0) {
		snprintf(err, errlen, "cannot read the online CPUs");
		ret = ncpus < 0 ? ncpus : -EINVAL;
		goto fail;
	}
	s->ncpus_possible = libbpf_num_possible_cpus();

	struct sym_opts so = { .inline_frames = o->inline_frames, .addrs = o->addrs,
			       .kernel_annotate = true,
			       .unwind_reference = o->unwinder == SYM_UNWIND_LIBDW || o->unwind_check };
	if ((ret = sym_open(&s->sym, &so))) {
		snprintf(err, errlen, "symbolizer: %s", strerror(-ret));
		goto fail;
	}

	s->skel = profile_bpf__open();
	if (!s->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BPF program: %s", strerror(errno));
		goto fail;
	}
	s->skel->rodata->kernel_only = o->kernel_only;
	s->skel->rodata->user_only = o->user_only;
	s->skel->rodata->include_idle = !o->no_idle;
	s->skel->rodata->per_cpu = o->per_cpu;
	s->skel->rodata->per_thread = o->per_thread;
	s->skel->rodata->filter_pids = o->npids > 0;
	s->skel->rodata->inherit = !o->no_inherit;
	s->skel->rodata->filter_tid = o->tid;
	s->skel->rodata->runq_only = o->runq_only || o->off_cpu;
	s->skel->rodata->min_block_ns = o->min_block_us * 1000;
	struct btf *vmlinux = btf__load_vmlinux_btf();
	s->runq_layout = smp_runq_layout(vmlinux);
	btf__free(vmlinux);
	s->skel->rodata->runq_layout = (__u32)s->runq_layout;
	bpf_program__set_autoload(s->skel->progs.on_switch, o->off_cpu);
	if (!o->off_cpu)	/* an LRU map holds all its entries from the start */
		bpf_map__set_max_entries(s->skel->maps.offcpu_starts, 1);
	if (o->runq_only) {
		/* no stacks are taken: the maps stay small */
		bpf_map__set_max_entries(s->skel->maps.stacks, 1);
		bpf_map__set_max_entries(s->skel->maps.counts, 1);
	}
	if (o->stack_storage) {
		/* four keys per stack, as the defaults (16384 stacks, 65536 keys) */
		bpf_map__set_max_entries(s->skel->maps.stacks, o->stack_storage);
		bpf_map__set_max_entries(s->skel->maps.counts, o->stack_storage * 4);
	}
	if (o->dwarf) {
		/* samples are drained every DWARF_POLL_MS without wake-ups: room for four periods
		 * of every CPU at the full rate (a short period keeps the ring, and scorch's
		 * resident memory, small: 2 MiB at 999 Hz on 2 CPUs) */
		unsigned bytes = o->stack_bytes ? o->stack_bytes : SCORCH_STACK_BYTES;
		/* a record holds the bytes copied: sized for a typical 4 KB (deeper ones take
		 * more room, and the count of drops says when the ring was too small) */
		double rec = (double)(sizeof(struct smp_sample_event) + (bytes < 4096 ? bytes : 4096) + 8);
		double need = 4 * rec * o->sample_hz * ncpus * DWARF_POLL_MS / 1000.0;
		uint32_t size = 1u << 20;
		while (size < need && size < (1u << 28))
			size <<= 1;
		s->skel->rodata->dwarf = true;
		s->skel->rodata->stack_bytes = bytes;
		bpf_map__set_max_entries(s->skel->maps.events, size);
		bpf_map__set_max_entries(s->skel->maps.sample_bufs,
					 s->ncpus_possible > 0 ? (uint32_t)s->ncpus_possible : 1);
		/* the stack-trace map is unused: keep it small */
		bpf_map__set_max_entries(s->skel->maps.stacks, 1);
	}
	if ((ret = profile_bpf__load(s->skel))) {
		if ((ret == -EPERM || ret == -EACCES) && geteuid() != 0)
			snprintf(err, errlen, "loading the BPF program was refused (%s): run as root, "
					      "or with CAP_BPF and CAP_PERFMON", strerror(-ret));
		else if (ret == -EPERM)
			snprintf(err, errlen, "the kernel refused BPF (%s): check "
					      "kernel.unprivileged_bpf_disabled, lockdown, or seccomp",
				 strerror(-ret));
		else if (ret == -EACCES)
			snprintf(err, errlen, "the kernel's verifier rejected the BPF program "
					      "(set SCORCH_DEBUG_BPF=1 to see its log)");
		else
			snprintf(err, errlen, "cannot load the BPF program: %s", strerror(-ret));
		goto fail;
	}
	for (size_t i = 0; i < o->npids; i++) {
		__u8 one = 1;
		bpf_map__update_elem(s->skel->maps.pids, &o->pids[i], sizeof(uint32_t), &one, 1, BPF_ANY);
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event, s, NULL);
	if (!s->rb) {
		ret = -errno;
		snprintf(err, errlen, "ring buffer: %s", strerror(errno));
		goto fail;
	}
	if (!(s->skel->links.on_exec = bpf_program__attach(s->skel->progs.on_exec)) ||
	    !(s->skel->links.on_exit = bpf_program__attach(s->skel->progs.on_exit)) ||
	    !(s->skel->links.on_fork = bpf_program__attach(s->skel->progs.on_fork))) {
		ret = -errno;
		snprintf(err, errlen, "cannot attach to sched_process_exec/exit/fork: %s",
			 strerror(errno));
		goto fail;
	}
	if (o->off_cpu && !(s->skel->links.on_switch = bpf_program__attach(s->skel->progs.on_switch))) {
		ret = -errno;
		snprintf(err, errlen, "--off-cpu: cannot attach to sched_switch: %s", strerror(errno));
		goto fail;
	}

	s->links = calloc((size_t)ncpus, sizeof(*s->links));
	s->pfds = calloc((size_t)ncpus, sizeof(int));
	s->cpu_ids = calloc((size_t)ncpus, sizeof(uint32_t));
	if (!s->links || !s->pfds || !s->cpu_ids) {
		ret = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < ncpus; i++) {
		struct perf_event_attr attr = {
			.size = sizeof(attr),
			.type = o->use_cycles ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
			.config = o->use_cycles ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK,
			.freq = 1,
			.sample_freq = o->sample_hz,
		};
		int fd = (int)syscall(__NR_perf_event_open, &attr, -1, (int)cpus[i], -1,
				      PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			if (errno == ENODEV && !o->ncpus)
				continue;	/* went offline */
			if (o->use_cycles && (errno == ENOENT || errno == EOPNOTSUPP))
				snprintf(err, errlen, "--event cycles: this machine has no hardware "
						      "cycle counter (use the default cpu-clock)");
			else if (errno == EACCES || errno == EPERM)
				snprintf(err, errlen, "perf_event_open refused (%s): run as root, or "
						      "with CAP_PERFMON", strerror(errno));
			else
				snprintf(err, errlen, "perf_event_open on CPU %u: %s", cpus[i],
					 strerror(errno));
			goto fail;
		}
		s->pfds[s->nlinks] = fd;
		s->cpu_ids[s->nlinks] = cpus[i];
		s->links[s->nlinks] = bpf_program__attach_perf_event(s->skel->progs.do_sample, fd);
		if (!s->links[s->nlinks]) {
			ret = -errno;
			close(fd);
			snprintf(err, errlen, "cannot attach to CPU %u: %s", cpus[i], strerror(errno));
			goto fail;
		}
		s->nlinks++;
		s->ncpu_ids = (size_t)s->nlinks;
	}
	s->t_start = now_s();
	*out = s;
	return 0;
fail:
	smp_close(s);
	return ret ? ret : -EINVAL;
}

int smp_add_pid(struct smp_session *s, uint32_t pid)
{
	__u8 one = 1;
	return bpf_map__update_elem(s->skel->maps.pids, &pid, sizeof(pid), &one, 1, BPF_ANY);
}

int smp_runq_layout_used(const struct smp_session *s)
{
	return s->runq_layout;
}

int smp_runq_read(struct smp_session *s, struct smp_runq **out, size_t *n)
{
	int ncpu = s->ncpus_possible > 0 ? s->ncpus_possible : 1;
	/* the CPUs sampled: those with an event (detached at collect, the ids stay) */
	size_t nids = s->ncpu_ids;
	struct runq_hist *vals = calloc((size_t)ncpu, sizeof(*vals));
	struct smp_runq *r = calloc(nids ? nids : 1, sizeof(*r));
	__u32 zero = 0;
	int err = 0;
	if (!vals || !r) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map__lookup_elem(s->skel->maps.runq, &zero, sizeof(zero), vals,
				 (size_t)ncpu * sizeof(*vals), 0)) {
		err = -errno;
		goto out;
	}
	double secs = (s->t_end ? s->t_end : now_s()) - s->t_start;
	for (size_t i = 0; i < nids; i++) {
		uint32_t c = s->cpu_ids[i];
		r[i].cpu = c;
		r[i].expected = (uint64_t)(secs * s->o.sample_hz + 0.5);
		if (c >= (uint32_t)ncpu)
			continue;
		r[i].samples = vals[c].samples;
		r[i].idle = vals[c].idle;
		memcpy(r[i].cfs, vals[c].cfs, sizeof(r[i].cfs));
		memcpy(r[i].rq, vals[c].rq, sizeof(r[i].rq));
	}
	*out = r;
	*n = nids;
	r = NULL;
out:
	free(vals);
	free(r);
	return err;
}

static void read_errors(struct smp_session *s, struct smp_stats *st)
{
	int n = s->ncpus_possible > 0 ? s->ncpus_possible : 1;
	uint64_t *vals = calloc((size_t)n, sizeof(uint64_t));
	uint64_t sum[SMP_ERR_MAX] = { 0 };
	if (!vals)
		return;
	for (uint32_t k = 0; k < SMP_ERR_MAX; k++) {
		if (bpf_map__lookup_elem(s->skel->maps.errors, &k, sizeof(k), vals,
					 (size_t)n * sizeof(uint64_t), 0))
			continue;
		for (int c = 0; c < n; c++)
			sum[k] += vals[c];
	}
	free(vals);
	st->samples = sum[SMP_ERR_SAMPLES];
	st->lost = st->counts_full = sum[SMP_ERR_COUNTS_FULL];
	st->pids_full = sum[SMP_ERR_PIDS_FULL];
	st->collisions = sum[SMP_ERR_KSTACK_COLLISION] + sum[SMP_ERR_USTACK_COLLISION];
	st->stack_map_full = sum[SMP_ERR_KSTACK_FULL] + sum[SMP_ERR_USTACK_FULL];
	st->faults = sum[SMP_ERR_KSTACK_FAULT] + sum[SMP_ERR_USTACK_FAULT];
	st->failed_stacks = st->collisions + st->stack_map_full + st->faults;
	st->events_lost = sum[SMP_ERR_EVENTS_LOST];
	st->rb_drops = sum[SMP_ERR_RB_DROPS];
	st->copy_short = sum[SMP_ERR_COPY_SHORT];
	st->copy_faults = sum[SMP_ERR_COPY_FAULT];
	st->lost += st->rb_drops;
}

/* -p: whether any target still runs (perf stops when they all have ended) */
static bool targets_alive(const struct smp_session *s)
{
	for (size_t i = 0; i < s->o.npids; i++)
		if (kill((pid_t)s->o.pids[i], 0) == 0 || errno != ESRCH)
			return true;
	return false;
}

void smp_set_interval(struct smp_session *s, double seconds, int (*cb)(void *arg), void *arg)
{
	s->interval_s = seconds;
	s->on_interval = cb;
	s->interval_arg = arg;
}

int smp_run(struct smp_session *s, double duration_s, volatile sig_atomic_t *stop, pid_t child,
	    int *child_status, void (*progress)(const struct smp_stats *st, void *arg), void *arg)
{
	double next_progress = s->t_start + 1, next_drain = s->t_start + 1;
	double next_interval = s->t_start + s->interval_s;
	int ret = 0;
	for (;;) {
		/* wake up at the deadline, not up to a poll period after it */
		int timeout_ms = s->o.dwarf ? DWARF_POLL_MS : 50;
		if (duration_s > 0) {
			double left = s->t_start + duration_s - now_s();
			if (left * 1000 < timeout_ms)
				timeout_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		int r = ring_buffer__poll(s->rb, timeout_ms);
		/* dwarf samples come without a wake-up: drain them on this timer */
		if (r >= 0 && s->o.dwarf)
			r = ring_buffer__consume(s->rb);
		if (r < 0 && r != -EINTR) {
			ret = r;
			break;
		}
		double t = now_s();
		if (stop && *stop)
			break;
		if (duration_s > 0 && t - s->t_start >= duration_s)
			break;
		if (child <= 0 && s->o.npids && !targets_alive(s))
			break;
		if (child > 0) {
			int status;
			pid_t w = waitpid(child, &status, WNOHANG);
			if (w == child) {
				if (child_status)
					*child_status = status;
				break;
			}
		}
		bool interval_due = s->on_interval && t >= next_interval;
		if (!s->o.dwarf && (t >= next_drain || interval_due)) {
			/* processes that ended before this drain have all their samples in it */
			size_t ended = s->nended;
			if ((ret = drain_counts(s)))
				break;
			for (size_t i = 0; i < ended; i++)
				sym_forget_pid(s->sym, (uint32_t)(s->ended[i] >> 32), (uint32_t)s->ended[i]);
			memmove(s->ended, s->ended + ended, (s->nended - ended) * sizeof(*s->ended));
			s->nended -= ended;
			next_drain = t + 1;
		}
		if (interval_due) {
			/* everything read so far is in the profile: the interval is complete */
			if ((ret = sym_build_ids(s->sym, s->p)) ||
			    (ret = s->on_interval(s->interval_arg)))
				break;
			next_interval += s->interval_s;
			if (next_interval <= t)	/* fell behind: the next boundary from now */
				next_interval = t + s->interval_s;
		}
		if (progress && t >= next_progress) {
			struct smp_stats st = { .elapsed_s = t - s->t_start };
			read_errors(s, &st);
			progress(&st, arg);
			next_progress = t + 1;
		}
	}
	s->t_end = now_s();
	return ret;
}

static void detach(struct smp_session *s)
{
	for (int i = 0; i < s->nlinks; i++) {
		bpf_link__destroy(s->links[i]);
		close(s->pfds[i]);
	}
	s->nlinks = 0;
	if (!s->t_end)
		s->t_end = now_s();
}

void smp_stop(struct smp_session *s)
{
	detach(s);
}

/* root frames of a sample: cpu-N (--per-cpu), then the task: comm, comm-PID or comm-PID/TID */
static int task_frames(struct smp_session *s, struct profile *p, const struct smp_raw *k,
		       uint32_t *out)
{
	char buf[64];
	int n = 0, len;
	int64_t id;
	if (s->o.per_cpu) {
		len = snprintf(buf, sizeof(buf), "cpu-%u", k->cpu);
		if ((id = prof_intern(p, buf, (size_t)len)) < 0)
			return (int)id;
		out[n++] = (uint32_t)id;
	}
	char comm[SCORCH_COMM_LEN + 1];
	memcpy(comm, k->comm, SCORCH_COMM_LEN);
	comm[SCORCH_COMM_LEN] = '\0';
	for (char *c = comm; *c; c++)
		if (*c == ';' || *c == ' ')	/* ';' would split the frame, spaces as perf does */
			*c = *c == ' ' ? '_' : ':';
	if (s->o.per_thread)
		len = snprintf(buf, sizeof(buf), "%s-%u/%u", comm, k->tgid, k->pid);
	else if (s->o.per_pid)
		len = snprintf(buf, sizeof(buf), "%s-%u", comm, k->tgid);
	else
		len = snprintf(buf, sizeof(buf), "%s", comm);
	if ((id = prof_intern(p, buf, (size_t)len)) < 0)
		return (int)id;
	out[n++] = (uint32_t)id;
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* sorts and drops repeats; returns the new length */
static size_t unique_u32(uint32_t *v, size_t n)
{
	size_t w = 0;
	if (n < 2)
		return n;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!w || v[i] != v[w - 1])
			v[w++] = v[i];
	return w;
}

static int note_tgid(struct smp_session *s, uint32_t tgid)
{
	if (s->ntgids && s->tgids[s->ntgids - 1] == tgid)
		return 0;
	if (s->ntgids == s->tgids_cap) {
		s->ntgids = unique_u32(s->tgids, s->ntgids);
		if (s->ntgids * 2 >= s->tgids_cap &&
		    vec_grow((void **)&s->tgids, &s->tgids_cap, s->tgids_cap + 1, sizeof(uint32_t), 256))
			return -ENOMEM;
	}
	s->tgids[s->ntgids++] = tgid;
	return 0;
}

static int add_marker(struct smp_session *s, const char *name, uint32_t *frames, size_t *depth)
{
	int64_t id = prof_intern(s->p, name, strlen(name));
	if (id < 0)
		return (int)id;
	frames[(*depth)++] = (uint32_t)id;
	return 0;
}

static bool is_bpf_frame(const struct profile *p, uint32_t id)
{
	const char *name = prof_frame_name(p, id);
	return !strncmp(name, "bpf_prog_", 9) || !strncmp(name, "bpf_trace_run", 13) ||
	       !strncmp(name, "__bpf_trace_", 12) || !strncmp(name, "__traceiter_", 12);
}

/* a raw sample into the profile: task frames, a marker where a stack is missing (never
 * folded into the process's self time) or its outer frames are, the user stack, the kernel
 * stack on top */
static int emit(struct smp_session *s, const struct smp_raw *r)
{
	uint32_t *frames = s->frames;
	/* room for every frame, and the kernel-stack marker after a user stack cut at cap */
	size_t cap = sizeof(s->frames) / sizeof(s->frames[0]) - 1;
	int n = task_frames(s, s->p, r, frames);
	if (n < 0)
		return n;
	size_t depth = (size_t)n;
	int err = 0;
	if (r->ulost)
		err = add_marker(s, "[lost user stack]", frames, &depth);
	else if (r->utruncated)
		err = add_marker(s, "[truncated]", frames, &depth);
	if (err)
		return err;
	if (r->nu) {
		n = sym_user_stack(s->sym, s->p, r->tgid, r->gen, r->uips, r->nu, frames + depth,
				   cap - depth);
		if (n < 0)
			return n;
		depth += (size_t)n;
	}
	if (r->nk) {
		n = sym_kernel_stack(s->sym, s->p, r->kips, r->nk, frames + depth, cap - depth);
		if (n < 0)
			return n;
		size_t base = depth;
		depth += (size_t)n;
		/* --off-cpu: the stack was taken by the sched_switch program, whose own frames
		 * (the program, the tracepoint's bpf_trace_runN, __bpf_trace_sched_switch or
		 * __traceiter_sched_switch as the kernel was built) sit on top of __schedule */
		while (s->o.off_cpu && depth > base && is_bpf_frame(s->p, frames[depth - 1]))
			depth--;
	}
	if (r->klost && (err = add_marker(s, "[lost kernel stack]", frames, &depth)))
		return err;
	err = prof_add(s->p, frames, depth, r->count);
	if (!err && r->tgid)
		err = note_tgid(s, r->tgid);
	return err;
}

/* --call-graph fp: the counts map, stacks from the stack-trace map. Drained every second
 * while recording (each entry taken out atomically, so no increment is lost), so a long
 * recording never fills it; stacks stay in their map (a full one is counted, and the sample
 * kept under [lost ... stack]). */
static int drain_counts(struct smp_session *s)
{
	uint64_t uips[SCORCH_MAX_STACK_DEPTH], kips[SCORCH_MAX_STACK_DEPTH];
	struct sample_key next, *keys = NULL;
	size_t nkeys = 0, cap = 0;
	int counts_fd = bpf_map__fd(s->skel->maps.counts);
	int stacks_fd = bpf_map__fd(s->skel->maps.stacks);
	int err = 0;
	/* keys first: deleting while walking would restart the walk */
	while (bpf_map_get_next_key(counts_fd, nkeys ? &keys[nkeys - 1] : NULL, &next) == 0) {
		if (vec_grow((void **)&keys, &cap, nkeys + 1, sizeof(*keys), 1024)) {
			free(keys);
			return -ENOMEM;
		}
		keys[nkeys++] = next;
	}
	for (size_t i = 0; i < nkeys && !err; i++) {
		struct sample_key key = keys[i];
		uint64_t count;
		if (bpf_map_lookup_and_delete_elem(counts_fd, &key, &count))
			continue;
		struct smp_raw r = { .tgid = key.tgid, .gen = key.gen, .pid = key.pid,
				     .cpu = key.cpu, .comm = key.comm, .count = count,
				     .uips = uips, .kips = kips };
		/* -1: no such stack (kernel thread, --user-only), -EFAULT for the kernel stack: a
		 * sample in user mode; any other error, or an id gone from the map, is a loss */
		if (key.user_stack_id >= 0 &&
		    bpf_map_lookup_elem(stacks_fd, &key.user_stack_id, uips) == 0)
			while (r.nu < SCORCH_MAX_STACK_DEPTH && uips[r.nu])
				r.nu++;
		else if (key.user_stack_id < -1 || key.user_stack_id >= 0)
			r.ulost = true;
		if (key.kern_stack_id >= 0 &&
		    bpf_map_lookup_elem(stacks_fd, &key.kern_stack_id, kips) == 0)
			while (r.nk < SCORCH_MAX_STACK_DEPTH && kips[r.nk])
				r.nk++;
		else if ((key.kern_stack_id < -1 && key.kern_stack_id != -EFAULT) ||
			 key.kern_stack_id >= 0)
			r.klost = true;
		err = emit(s, &r);
	}
	free(keys);
	return err;
}

int smp_collect(struct smp_session *s, struct smp_stats *st, char *err, size_t errlen)
{
	int ret = 0;
	detach(s);
	int r = ring_buffer__consume(s->rb);
	memset(st, 0, sizeof(*st));
	read_errors(s, st);
	st->elapsed_s = (s->t_end ? s->t_end : now_s()) - s->t_start;
	if (r < 0)
		ret = r;
	else if (!s->o.dwarf)
		ret = drain_counts(s);
	st->user_stacks = s->dw.user_stacks;
	memcpy(st->unwind_ends, s->dw.unwind_ends, sizeof(st->unwind_ends));
	st->check_stacks = s->dw.check_stacks;
	st->check_diffs = s->dw.check_diffs;
	st->check_ref_failed = s->dw.check_ref_failed;
	st->unwind_us = s->dw.unwind_us;
	st->processes = unique_u32(s->tgids, s->ntgids);
	st->unique_stacks = prof_nstacks(s->p);
	if (!ret)
		ret = sym_build_ids(s->sym, s->p);	/* after sampling: off its path */
	if (ret)
		snprintf(err, errlen, "reading the samples: %s", strerror(-ret));
	return ret;
}

void smp_close(struct smp_session *s)
{
	if (!s)
		return;
	detach(s);
	ring_buffer__free(s->rb);
	profile_bpf__destroy(s->skel);
	sym_close(s->sym);
	free(s->tgids);
	free(s->ended);
	free(s->links);
	free(s->pfds);
	free(s->cpu_ids);
	free(s);
}
