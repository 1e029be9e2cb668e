/* The sampler: one software cpu-clock (or hardware cycles) perf event per online CPU, each
 * with the BPF program attached through a bpf_link, so nothing stays attached if scorch dies.
 * While recording, the ring buffer announces new processes and their memory maps are taken
 * at once (a process that exits before the end is still symbolized). At the end the counts
 * map is read and every (task, kernel stack, user stack) becomes a folded stack. */
#include "sampler.h"
#include <linux/types.h>

#include "../bpf/profile.h"
#include "profile.skel.h"
#include "sym.h"

#include <bpf/bpf.h>
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

struct smp_session {
	struct smp_opts o;
	struct profile_bpf *skel;
	struct bpf_link **links;
	int *pfds;
	int nlinks;
	struct ring_buffer *rb;
	struct sym_session *sym;
	double t_start, t_end;
	int ncpus_possible;
};

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

static int on_event(void *ctx, void *data, size_t size)
{
	struct smp_session *s = ctx;
	const struct smp_event *e = data;
	if (size < sizeof(*e))
		return 0;
	if (e->type == SMP_EV_EXEC)
		sym_forget_pid(s->sym, e->tgid);
	else if (e->type == SMP_EV_REFRESH)
		sym_refresh_pid(s->sym, e->tgid);
	else
		sym_snapshot_pid(s->sym, e->tgid);	/* gone already: resolved as [unknown] */
	return 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int smp_open(struct smp_session **out, const struct smp_opts *o, char *err, size_t errlen)
{
	struct smp_session *s = calloc(1, sizeof(*s));
	uint32_t cpus[1024];
	int ncpus, ret = 0;

	if (!s)
		return -ENOMEM;
	s->o = *o;
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
			       .kernel_annotate = true };
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
	s->skel->rodata->filter_tid = o->tid;
	if (o->stack_storage)
		bpf_map__set_max_entries(s->skel->maps.stacks, o->stack_storage);
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
	if (!(s->skel->links.on_exec = bpf_program__attach(s->skel->progs.on_exec))) {
		ret = -errno;
		snprintf(err, errlen, "cannot attach to sched_process_exec: %s", strerror(errno));
		goto fail;
	}

	s->links = calloc((size_t)ncpus, sizeof(*s->links));
	s->pfds = calloc((size_t)ncpus, sizeof(int));
	if (!s->links || !s->pfds) {
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
		s->links[s->nlinks] = bpf_program__attach_perf_event(s->skel->progs.do_sample, fd);
		if (!s->links[s->nlinks]) {
			ret = -errno;
			close(fd);
			snprintf(err, errlen, "cannot attach to CPU %u: %s", cpus[i], strerror(errno));
			goto fail;
		}
		s->nlinks++;
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
	st->lost = sum[SMP_ERR_COUNTS_FULL];
	st->collisions = sum[SMP_ERR_KSTACK_COLLISION] + sum[SMP_ERR_USTACK_COLLISION];
	st->stack_map_full = sum[SMP_ERR_KSTACK_FULL] + sum[SMP_ERR_USTACK_FULL];
	st->faults = sum[SMP_ERR_KSTACK_FAULT] + sum[SMP_ERR_USTACK_FAULT];
	st->failed_stacks = st->collisions + st->stack_map_full + st->faults;
	st->events_lost = sum[SMP_ERR_EVENTS_LOST];
}

int smp_run(struct smp_session *s, double duration_s, volatile sig_atomic_t *stop, pid_t child,
	    int *child_status, void (*progress)(const struct smp_stats *st, void *arg), void *arg)
{
	double next_progress = s->t_start + 1;
	int ret = 0;
	for (;;) {
		/* wake up at the deadline, not up to a poll period after it */
		int timeout_ms = 50;
		if (duration_s > 0) {
			double left = s->t_start + duration_s - now_s();
			if (left * 1000 < timeout_ms)
				timeout_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		int r = ring_buffer__poll(s->rb, timeout_ms);
		if (r < 0 && r != -EINTR) {
			ret = r;
			break;
		}
		double t = now_s();
		if (stop && *stop)
			break;
		if (duration_s > 0 && t - s->t_start >= duration_s)
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
		if (progress && t >= next_progress) {
			struct smp_stats st = { .elapsed_s = t - s->t_start };
			read_errors(s, &st);
			progress(&st, arg);
			next_progress = t + 1;
		}
	}
	ring_buffer__consume(s->rb);
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
}

/* root frames of a sample: cpu-N (--per-cpu), then the task: comm, comm-PID or comm-PID/TID */
static int task_frames(struct smp_session *s, struct profile *p, const struct sample_key *k,
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

int smp_collect(struct smp_session *s, struct profile *p, struct smp_stats *st, char *err,
		size_t errlen)
{
	uint64_t ips[SCORCH_MAX_STACK_DEPTH];
	uint32_t frames[2 + 4 * SCORCH_MAX_STACK_DEPTH * 2];
	struct sample_key key, next;
	uint32_t *tgids = NULL;
	size_t ntgids = 0, tgids_cap = 0;
	int ret = 0;
	int counts_fd = bpf_map__fd(s->skel->maps.counts);
	int stacks_fd = bpf_map__fd(s->skel->maps.stacks);

	detach(s);
	ring_buffer__consume(s->rb);
	memset(st, 0, sizeof(*st));
	read_errors(s, st);
	st->elapsed_s = (s->t_end ? s->t_end : now_s()) - s->t_start;

	void *prev = NULL;
	while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		uint64_t count;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue;
		int n = task_frames(s, p, &key, frames);
		if (n < 0) {
			ret = n;
			goto out;
		}
		size_t depth = (size_t)n;
		size_t cap = sizeof(frames) / sizeof(frames[0]);
		if (key.user_stack_id >= 0 &&
		    bpf_map_lookup_elem(stacks_fd, &key.user_stack_id, ips) == 0) {
			size_t k = 0;
			while (k < SCORCH_MAX_STACK_DEPTH && ips[k])
				k++;
			int r = sym_user_stack(s->sym, p, key.tgid, ips, k, frames + depth, cap - depth);
			if (r < 0) {
				ret = r;
				goto out;
			}
			depth += (size_t)r;
		}
		if (key.kern_stack_id >= 0 &&
		    bpf_map_lookup_elem(stacks_fd, &key.kern_stack_id, ips) == 0) {
			size_t k = 0;
			while (k < SCORCH_MAX_STACK_DEPTH && ips[k])
				k++;
			int r = sym_kernel_stack(s->sym, p, ips, k, frames + depth, cap - depth);
			if (r < 0) {
				ret = r;
				goto out;
			}
			depth += (size_t)r;
		}
		if ((ret = prof_add(p, frames, depth, count)))
			goto out;
		if (key.tgid) {
			if (ntgids == tgids_cap) {
				tgids_cap = tgids_cap ? tgids_cap * 2 : 256;
				uint32_t *nt = realloc(tgids, tgids_cap * sizeof(uint32_t));
				if (!nt) {
					ret = -ENOMEM;
					goto out;
				}
				tgids = nt;
			}
			tgids[ntgids++] = key.tgid;
		}
	}
	qsort(tgids, ntgids, sizeof(uint32_t), cmp_u32);
	for (size_t i = 0; i < ntgids; i++)
		if (i == 0 || tgids[i] != tgids[i - 1])
			st->processes++;
	st->unique_stacks = prof_nstacks(p);
out:
	if (ret)
		snprintf(err, errlen, "reading the samples: %s", strerror(-ret));
	free(tgids);
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
	free(s->links);
	free(s->pfds);
	free(s);
}
