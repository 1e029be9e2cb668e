/* Run queues: which cfs_rq field this kernel has (from its BTF: the BPF program reads the one
 * chosen here, through CO-RE), and what the per-CPU histograms say. */
#include "sampler.h"
#include <linux/types.h>

#include "../bpf/profile.h"

#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>

_Static_assert(SMP_RUNQ_BUCKETS == SCORCH_RUNQ_BUCKETS, "run-queue buckets");

static bool has_member(const struct btf *btf, const struct btf_type *t, const char *name)
{
	const struct btf_member *m = btf_members(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

int smp_runq_layout(const struct btf *btf)
{
	if (!btf)
		return SMP_RUNQ_NONE;
	int id = btf__find_by_name_kind(btf, "cfs_rq", BTF_KIND_STRUCT);
	if (id <= 0)
		return SMP_RUNQ_NONE;
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	/* 6.14 renamed nr_running to nr_queued (and added h_nr_runnable): prefer the new name,
	 * in case a later kernel brings back a field called nr_running with another meaning */
	if (has_member(btf, t, "nr_queued"))
		return SMP_RUNQ_NR_QUEUED;
	if (has_member(btf, t, "nr_running"))
		return SMP_RUNQ_NR_RUNNING;
	return SMP_RUNQ_NONE;
}

const char *smp_runq_layout_name(int layout)
{
	switch (layout) {
	case SMP_RUNQ_NR_QUEUED: return "cfs_rq.nr_queued";
	case SMP_RUNQ_NR_RUNNING: return "cfs_rq.nr_running";
	default: return "none";
	}
}

void smp_runq_stat(const uint64_t *hist, struct smp_runq_stat *out)
{
	uint64_t n = 0;
	double sum = 0;
	for (unsigned i = 0; i < SMP_RUNQ_BUCKETS; i++) {
		n += hist[i];
		sum += (double)i * (double)hist[i];
	}
	out->samples = n;
	out->mean = n ? sum / (double)n : 0;
	out->p99 = 0;
	/* the least length L with at least 99% of samples at or below it */
	uint64_t below = 0;
	for (unsigned i = 0; i < SMP_RUNQ_BUCKETS && n; i++) {
		below += hist[i];
		if ((double)below >= 0.99 * (double)n) {
			out->p99 = i;
			break;
		}
	}
}

void smp_runq_sum(const struct smp_runq *cpus, size_t n, struct smp_runq *out)
{
	memset(out, 0, sizeof(*out));
	out->cpu = UINT32_MAX;
	for (size_t c = 0; c < n; c++) {
		out->samples += cpus[c].samples;
		out->idle += cpus[c].idle;
		out->expected += cpus[c].expected;
		for (unsigned i = 0; i < SMP_RUNQ_BUCKETS; i++) {
			out->cfs[i] += cpus[c].cfs[i];
			out->rq[i] += cpus[c].rq[i];
		}
	}
}

double smp_runq_busy(const struct smp_runq *r)
{
	uint64_t ran = r->samples - r->idle;
	uint64_t of = r->expected > r->samples ? r->expected : r->samples;
	return of ? (double)ran / (double)of : 0;
}

/* A CPU is saturated when it ran something nearly all the time and tasks waited for it; busy
 * when it ran something most of the time. */
#define BUSY_SATURATED 0.90
#define BUSY_MOSTLY 0.50

const char *smp_runq_verdict(const struct smp_runq *cpus, size_t n, char *buf, size_t len)
{
	size_t sampled = 0, saturated = 0, busy = 0;
	unsigned p99_max = 0;
	struct smp_runq all;
	struct smp_runq_stat st;
	smp_runq_sum(cpus, n, &all);
	for (size_t c = 0; c < n; c++) {
		if (!cpus[c].samples && !cpus[c].expected)
			continue;
		sampled++;
		double b = smp_runq_busy(&cpus[c]);
		smp_runq_stat(cpus[c].rq, &st);
		if (b >= BUSY_MOSTLY)
			busy++;
		if (b >= BUSY_SATURATED && st.p99 >= 1 && st.mean >= 0.5) {
			saturated++;
			if (st.p99 > p99_max)
				p99_max = st.p99;
		}
	}
	smp_runq_stat(all.rq, &st);
	double busy_pct = 100.0 * smp_runq_busy(&all);
	if (!sampled)
		snprintf(buf, len, "no run-queue samples");
	else if (saturated * 2 > sampled)
		snprintf(buf, len, "CPU saturated: run queues p99 %u on %zu/%zu CPUs (mean %.2f "
			 "waiting, %.0f%% busy): more runnable threads than CPUs", p99_max, saturated,
			 sampled, st.mean, busy_pct);
	else if (busy * 2 > sampled)
		snprintf(buf, len, "CPUs busy (%.0f%%), run queues short (mean %.2f, p99 %u): the "
			 "running code itself takes the time: read its flame graph", busy_pct, st.mean,
			 st.p99);
	else
		snprintf(buf, len, "CPUs mostly idle (%.0f%% busy, run queues mean %.2f): if a "
			 "program is slow, look where it blocks (--off-cpu)", busy_pct, st.mean);
	return buf;
}
