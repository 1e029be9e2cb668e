/* Run queues: the cfs_rq field chosen from a kernel's BTF (synthetic BTFs of the layouts
 * before and after Linux 6.14, and this kernel's), and the statistics and verdict made of
 * per-CPU histograms. */
#include "check.h"
#include "sampler.h"

#include <bpf/btf.h>
#include <linux/btf.h>
#include <stdint.h>

#define SMP_RUNQ_NONE 0
#define SMP_RUNQ_NR_QUEUED 1
#define SMP_RUNQ_NR_RUNNING 2

/* a BTF with struct cfs_rq { unsigned int f1; unsigned int f2; ... } */
static struct btf *cfs_rq_btf(const char *const *fields, int n, const char *struct_name)
{
	struct btf *b = btf__new_empty();
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	btf__add_struct(b, struct_name, (unsigned)(4 * n));
	for (int i = 0; i < n; i++)
		btf__add_field(b, fields[i], u32, (unsigned)(32 * i), 0);
	return b;
}

static int layout_of(const char *const *fields, int n, const char *struct_name)
{
	struct btf *b = cfs_rq_btf(fields, n, struct_name);
	int l = smp_runq_layout(b);
	btf__free(b);
	return l;
}

int main(void)
{
	/* Linux 6.13 and before: nr_running, h_nr_running */
	static const char *const old_fields[] = { "load", "nr_running", "h_nr_running", "idle_nr_running" };
	/* 6.14 on: nr_queued, h_nr_queued, h_nr_runnable, h_nr_idle */
	static const char *const new_fields[] = { "load", "nr_queued", "h_nr_queued", "h_nr_runnable", "h_nr_idle" };
	/* a later kernel with both names: the new one wins */
	static const char *const both[] = { "nr_running", "nr_queued" };
	static const char *const neither[] = { "load", "h_nr_queued" };
	CHECK_INT(layout_of(old_fields, 4, "cfs_rq"), SMP_RUNQ_NR_RUNNING);
	CHECK_INT(layout_of(new_fields, 5, "cfs_rq"), SMP_RUNQ_NR_QUEUED);
	CHECK_INT(layout_of(both, 2, "cfs_rq"), SMP_RUNQ_NR_QUEUED);
	CHECK_INT(layout_of(neither, 2, "cfs_rq"), SMP_RUNQ_NONE);
	CHECK_INT(layout_of(new_fields, 5, "rt_rq"), SMP_RUNQ_NONE);	/* no struct cfs_rq */
	CHECK_INT(smp_runq_layout(NULL), SMP_RUNQ_NONE);
	CHECK_STR(smp_runq_layout_name(SMP_RUNQ_NR_QUEUED), "cfs_rq.nr_queued");
	CHECK_STR(smp_runq_layout_name(SMP_RUNQ_NR_RUNNING), "cfs_rq.nr_running");

	/* this machine's kernel (6.18 here): the new layout */
	struct btf *vm = btf__load_vmlinux_btf();
	if (vm) {
		int l = smp_runq_layout(vm);
		printf("this kernel: %s\n", smp_runq_layout_name(l));
		CHECK(l != SMP_RUNQ_NONE);
		btf__free(vm);
	}

	/* statistics: 100 samples, 50 at 0, 49 at 3, 1 at 9 -> mean 1.56, p99 3 */
	uint64_t h[SMP_RUNQ_BUCKETS] = { 0 };
	h[0] = 50;
	h[3] = 49;
	h[9] = 1;
	struct smp_runq_stat st;
	smp_runq_stat(h, &st);
	CHECK_INT(st.samples, 100);
	CHECK(st.mean > 1.559 && st.mean < 1.561);
	CHECK_INT(st.p99, 3);
	h[9] = 2;	/* 2 of 101 past 3: p99 is 9 */
	smp_runq_stat(h, &st);
	CHECK_INT(st.p99, 9);
	memset(h, 0, sizeof(h));
	smp_runq_stat(h, &st);
	CHECK_INT(st.samples, 0);
	CHECK_INT(st.p99, 0);

	/* verdicts: two CPUs busy with 3 waiting; busy with none waiting; idle (no samples at
	 * all on one, as an idle CPU's timer may not fire) */
	struct smp_runq cpus[2];
	char buf[256];
	memset(cpus, 0, sizeof(cpus));
	for (int c = 0; c < 2; c++) {
		cpus[c].cpu = (uint32_t)c;
		cpus[c].samples = cpus[c].expected = 500;
		cpus[c].rq[3] = 400;
		cpus[c].rq[4] = 100;
		cpus[c].cfs[3] = 500;
	}
	smp_runq_verdict(cpus, 2, buf, sizeof(buf));
	printf("%s\n", buf);
	CHECK(!strncmp(buf, "CPU saturated: run queues p99 4 on 2/2 CPUs (mean 3.20 waiting, 100% busy)", 74));
	for (int c = 0; c < 2; c++) {
		memset(cpus[c].rq, 0, sizeof(cpus[c].rq));
		cpus[c].rq[0] = 495;
		cpus[c].rq[1] = 5;
	}
	smp_runq_verdict(cpus, 2, buf, sizeof(buf));
	printf("%s\n", buf);
	CHECK(!strncmp(buf, "CPUs busy (100%), run queues short (mean 0.01, p99 0)", 53));
	cpus[0].samples = cpus[0].idle = 400;
	memset(cpus[0].rq, 0, sizeof(cpus[0].rq));
	cpus[0].rq[0] = 400;
	cpus[1].samples = cpus[1].idle = 0;
	memset(cpus[1].rq, 0, sizeof(cpus[1].rq));
	CHECK(smp_runq_busy(&cpus[0]) == 0);
	smp_runq_verdict(cpus, 2, buf, sizeof(buf));
	printf("%s\n", buf);
	CHECK(!strncmp(buf, "CPUs mostly idle (0% busy", 25));
	/* busy is of the samples expected: 250 of 500 ran a task, none of the rest came */
	cpus[1].samples = 250;
	CHECK(smp_runq_busy(&cpus[1]) == 0.5);
	CHECK_DONE();
}
