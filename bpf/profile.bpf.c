// SPDX-License-Identifier: GPL-2.0
/* scorch's sampler: a perf_event program run at the sampling frequency on every CPU. With
 * --call-graph fp it counts (task, kernel stack, user stack) in a hash map, stacks in a
 * stack-trace map (no BPF_F_REUSE_STACKID: a colliding stack is counted as a failure, not
 * merged into another). With --call-graph dwarf it sends each sample over the ring buffer
 * with the kernel stack, the user registers and a copy of the live user stack, for user space
 * to unwind with the binaries' CFI. It counts every failure per CPU, and announces each new
 * process image over the ring buffer so user space can read its memory map while it is
 * alive. Options are const volatile globals set before load, so one object serves every mode
 * (CO-RE, nothing compiled at run time). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

#define EEXIST 17
#define ENOMEM 12
#define EFAULT 14
#define E2BIG 7

const volatile bool kernel_only = false;
const volatile bool user_only = false;
const volatile bool include_idle = true;
const volatile bool per_cpu = false;
const volatile bool per_thread = false;
const volatile bool filter_pids = false;
const volatile bool inherit = true;	/* the process set follows forks (--no-inherit: not) */
const volatile __u32 filter_tid = 0;
const volatile bool dwarf = false;
const volatile __u32 stack_bytes = SCORCH_STACK_BYTES;
const volatile bool runq_only = false;	/* perf events only measure the run queues */
const volatile __u32 runq_layout = SMP_RUNQ_NONE;	/* enum smp_runq_layout, from user space */
const volatile __u64 min_block_ns = 0;	/* --off-cpu: shorter blocks are not counted */

/* the queue-length fields of struct cfs_rq before and after Linux 6.14 (CO-RE flavours: the
 * one the running kernel has is relocated, the other never runs) */
struct cfs_rq___queued {
	unsigned int nr_queued;
} __attribute__((preserve_access_index));
struct cfs_rq___running {
	unsigned int nr_running;
} __attribute__((preserve_access_index));

__u32 next_gen = 0;	/* process image generations, 1 up */

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SCORCH_MAX_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);	/* --stack-storage sets it before load */
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct sample_key);
	__type(value, __u64);
	__uint(max_entries, SCORCH_MAX_COUNTS);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, SMP_ERR_MAX);
} errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, SCORCH_MAX_PIDS);
} pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct seen_val);
	__uint(max_entries, 65536);
} seen SEC(".maps");

/* --call-graph dwarf: each thread's stack mapping, found once with bpf_find_vma (which, in
 * the timer interrupt, queues irq work to drop the mmap lock: microseconds a sample) */
struct stack_vma {
	__u64 start, end;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct stack_vma);
	__uint(max_entries, 65536);
} stack_vmas SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* sized by user space for --call-graph dwarf */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct runq_hist);
	__uint(max_entries, 1);
} runq SEC(".maps");

/* --off-cpu: threads switched out, by thread id */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct offcpu_start);
	__uint(max_entries, 65536);
} offcpu_starts SEC(".maps");

static __always_inline void count_error(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&errors, &slot);
	if (v)
		(*v)++;
}

static __always_inline void stack_error(long err, bool user)
{
	__u32 base = user ? SMP_ERR_USTACK_COLLISION : SMP_ERR_KSTACK_COLLISION;
	if (err == -EEXIST)
		count_error(base);
	else if (err == -ENOMEM)
		count_error(base + 1);
	else
		count_error(base + 2);
}

/* n more on the key's count (a sample, or microseconds off the CPU) */
static __always_inline void add_count(struct sample_key *key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&counts, key);
	if (v) {
		__sync_fetch_and_add(v, n);
	} else if (bpf_map_update_elem(&counts, key, &n, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&counts, key);	/* another CPU added it */
		if (!v) {
			count_error(SMP_ERR_COUNTS_FULL);
			return;
		}
		__sync_fetch_and_add(v, n);
	}
	count_error(SMP_ERR_SAMPLES);
}

static __always_inline void announce(__u32 type, __u32 tgid, __u32 gen)
{
	struct smp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_error(SMP_ERR_EVENTS_LOST);
		return;
	}
	e->type = type;
	e->tgid = tgid;
	e->gen = gen;
	/* samples go without a wake-up: this one must wake the reader even behind them */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

/* The image generation of a process, announcing it the first time it is seen and then a few
 * times while it starts (see SCORCH_REFRESH_FIRST_NS). */
static __always_inline __u32 image_gen(__u32 tgid)
{
	__u64 now = bpf_ktime_get_ns();
	struct seen_val *sv = bpf_map_lookup_elem(&seen, &tgid);
	if (!sv) {
		struct seen_val v = { now + SCORCH_REFRESH_FIRST_NS, SCORCH_REFRESH_FIRST_NS };
		v.gen = __sync_fetch_and_add(&next_gen, 1) + 1;
		bpf_map_update_elem(&seen, &tgid, &v, BPF_ANY);
		announce(SMP_EV_NEW_PROCESS, tgid, v.gen);
		return v.gen;
	}
	if (sv->interval_ns && now >= sv->next_ns) {
		__u64 next = sv->interval_ns * 2;
		sv->interval_ns = next > SCORCH_REFRESH_LAST_NS ? 0 : next;
		sv->next_ns = now + next;
		announce(SMP_EV_REFRESH, tgid, sv->gen);
	}
	return sv->gen;
}

static long vma_range(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct stack_vma *r = data;
	r->start = BPF_CORE_READ(vma, vm_start);
	r->end = BPF_CORE_READ(vma, vm_end);
	return 0;
}

/* --call-graph dwarf: a sample is built in a per-CPU buffer, then only the bytes it uses go
 * to the ring (a copy of a few KB costs less than ring space for the largest one: the ring,
 * mapped by scorch, stays small) */
#define SAMPLE_BUF_BYTES (sizeof(struct smp_sample_event) + SCORCH_STACK_BYTES_MAX)
struct sample_buf {
	__u8 bytes[SAMPLE_BUF_BYTES];
};
/* one per CPU, indexed by CPU (a per-CPU array's values are limited to 32 KB); perf_event
 * programs do not nest on a CPU. User space sets max_entries to the possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct sample_buf);
	__uint(max_entries, 1);
} sample_bufs SEC(".maps");

/* --call-graph dwarf: the sample goes to user space whole, to be unwound there */
static __always_inline int send_sample(struct bpf_perf_event_data *ctx, struct task_struct *task,
				       __u32 tgid, __u32 pid, __u32 cpu, bool user)
{
	struct smp_sample_event *e = bpf_map_lookup_elem(&sample_bufs, &cpu);
	if (!e)
		return 0;
	e->type = SMP_EV_SAMPLE;
	e->tgid = tgid;
	e->pid = pid;
	e->cpu = cpu;
	e->flags = 0;
	e->ustack_bytes = 0;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	e->kstack_bytes = user_only ? 0 : bpf_get_stack(ctx, e->kips, sizeof(e->kips), 0);
	e->gen = user ? image_gen(tgid) : 0;
	if (user) {
		struct pt_regs *tr = (struct pt_regs *)bpf_task_pt_regs(task);
		struct pt_regs r;
		if (bpf_probe_read_kernel(&r, sizeof(r), tr) == 0) {
			e->flags |= SMP_SF_USER;
			/* DWARF numbering: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */
			e->regs[0] = r.ax;
			e->regs[1] = r.dx;
			e->regs[2] = r.cx;
			e->regs[3] = r.bx;
			e->regs[4] = r.si;
			e->regs[5] = r.di;
			e->regs[6] = r.bp;
			e->regs[7] = r.sp;
			e->regs[8] = r.r8;
			e->regs[9] = r.r9;
			e->regs[10] = r.r10;
			e->regs[11] = r.r11;
			e->regs[12] = r.r12;
			e->regs[13] = r.r13;
			e->regs[14] = r.r14;
			e->regs[15] = r.r15;
			e->regs[16] = r.ip;
			/* copy [sp, top of its mapping): a read past the mapping fails whole. The
			 * main thread's frames all lie below start_stack (argv, env above it). */
			__u64 sp = r.sp, top;
			struct stack_vma *cv = bpf_map_lookup_elem(&stack_vmas, &pid);
			if (cv && cv->start <= sp && sp < cv->end) {
				top = cv->end;
			} else {
				struct stack_vma nv = {};
				if (bpf_find_vma(task, sp, vma_range, &nv, 0) == 0 && nv.end > sp) {
					top = nv.end;
					bpf_map_update_elem(&stack_vmas, &pid, &nv, BPF_ANY);
				} else {
					top = (sp | 4095) + 1;	/* lock busy: sp's page is mapped */
				}
			}
			if (pid == tgid) {
				__u64 start = BPF_CORE_READ(task, mm, start_stack);
				if (start > sp && start + 8 < top)
					top = start + 8;
			}
			__u64 len = top - sp;
			if (len > stack_bytes) {
				len = stack_bytes;
				e->flags |= SMP_SF_COPY_SHORT;
				count_error(SMP_ERR_COPY_SHORT);
			}
			if (len > SCORCH_STACK_BYTES_MAX)	/* for the verifier */
				len = 0;
			if (len && bpf_probe_read_user(e->stack, len, (void *)sp)) {
				count_error(SMP_ERR_COPY_FAULT);
				len = 0;
			}
			e->ustack_bytes = (__u32)len;
		}
	}
	__u64 size = sizeof(*e) + (e->ustack_bytes & 0xffff);
	if (size > SAMPLE_BUF_BYTES)	/* for the verifier */
		size = SAMPLE_BUF_BYTES;
	if (bpf_ringbuf_output(&events, e, size, BPF_RB_NO_WAKEUP)) {
		count_error(SMP_ERR_RB_DROPS);
		return 0;
	}
	count_error(SMP_ERR_SAMPLES);
	return 0;
}

/* --call-graph fp: the counts key of the current task (a sample's, or a thread's leaving the
 * CPU): who, and its stacks walked by the kernel (the user stack when it has one) */
static __always_inline void make_key(void *ctx, struct sample_key *key, __u32 tgid, __u32 pid,
				     __u32 cpu, bool user)
{
	key->tgid = tgid;
	key->pid = per_thread ? pid : 0;
	key->cpu = per_cpu ? cpu : 0;
	bpf_get_current_comm(&key->comm, sizeof(key->comm));
	key->kern_stack_id = -1;
	key->user_stack_id = -1;
	if (!user_only) {
		long sid = bpf_get_stackid(ctx, &stacks, 0);
		/* -EFAULT: the sample was taken in user mode, there is no kernel stack */
		if (sid < 0 && sid != -EFAULT)
			stack_error(sid, false);
		key->kern_stack_id = (__s32)sid;
	}
	if (user) {
		long sid = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		if (sid < 0)
			stack_error(sid, true);
		key->user_stack_id = (__s32)sid;
		key->gen = image_gen(tgid);
	}
}

/* The run queue of this CPU at this sample, as runqlen.bt reads it (the current task's CFS
 * queue minus itself) and whole (every runnable task but the running one). Every sample of
 * the CPU counts, whatever the filters: the queue belongs to the CPU. */
static __always_inline void count_runq(struct task_struct *task, bool idle)
{
	__u32 zero = 0, cfs = 0, all = 0;
	struct runq_hist *h = bpf_map_lookup_elem(&runq, &zero);
	if (!h)
		return;
	h->samples++;
	if (idle)
		h->idle++;
	void *cq = NULL;
	if (bpf_core_field_exists(task->se.cfs_rq))	/* CONFIG_FAIR_GROUP_SCHED */
		cq = BPF_CORE_READ(task, se.cfs_rq);
	if (cq && runq_layout == SMP_RUNQ_NR_QUEUED &&
	    bpf_core_field_exists(struct cfs_rq___queued, nr_queued))
		cfs = BPF_CORE_READ((struct cfs_rq___queued *)cq, nr_queued);
	else if (cq && runq_layout == SMP_RUNQ_NR_RUNNING &&
		 bpf_core_field_exists(struct cfs_rq___running, nr_running))
		cfs = BPF_CORE_READ((struct cfs_rq___running *)cq, nr_running);
	cfs = cfs > 0 ? cfs - 1 : 0;
	/* the CPU's run queue, through the task's CFS queue (with group scheduling; the
	 * runqueues per-CPU symbol needs CONFIG_KALLSYMS_ALL, which kernels often lack) */
	if (cq && bpf_core_field_exists(((struct cfs_rq *)0)->rq)) {
		all = BPF_CORE_READ((struct cfs_rq *)cq, rq, nr_running);
		if (!idle)	/* the running task is counted in nr_running, the idle task not */
			all = all > 0 ? all - 1 : 0;
	}
	if (cfs >= SCORCH_RUNQ_BUCKETS)
		cfs = SCORCH_RUNQ_BUCKETS - 1;
	if (all >= SCORCH_RUNQ_BUCKETS)
		all = SCORCH_RUNQ_BUCKETS - 1;
	h->cfs[cfs]++;
	h->rq[all]++;
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, pid = (__u32)id;
	__u32 cpu = bpf_get_smp_processor_id();	/* -C: events are opened only on those CPUs */
	struct sample_key key = {};
	struct task_struct *task = bpf_get_current_task_btf();

	count_runq(task, pid == 0);
	if (runq_only)
		return 0;
	if (!include_idle && pid == 0)
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_tid && pid != filter_tid)
		return 0;

	/* kernel threads have no user stack (and no memory map to read) */
	bool user = !kernel_only && tgid && BPF_CORE_READ(task, mm) != NULL;
	if (dwarf)
		return send_sample(ctx, task, tgid, pid, cpu, user);

	make_key(ctx, &key, tgid, pid, cpu, user);
	add_count(&key, 1);
	return 0;
}

/* --off-cpu: a thread leaves the CPU (prev, still current here: its stacks are the ones
 * taken), another comes back (next: the time since it left is counted, in microseconds, on
 * the stacks it left with: prev is current here, so its key is made as a sample's). As for
 * samples, the filters pick threads; the idle task never counts. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 ptid = BPF_CORE_READ(prev, pid), ptgid = BPF_CORE_READ(prev, tgid);
	__u32 ntid = BPF_CORE_READ(next, pid);

	if (ptid && (!filter_pids || bpf_map_lookup_elem(&pids, &ptgid)) &&
	    (!filter_tid || ptid == filter_tid)) {
		struct offcpu_start st = { .ts = now };
		make_key(ctx, &st.key, ptgid, ptid, bpf_get_smp_processor_id(),
			 !kernel_only && BPF_CORE_READ(prev, mm) != NULL);
		bpf_map_update_elem(&offcpu_starts, &ptid, &st, BPF_ANY);
	}
	if (!ntid)
		return 0;
	struct offcpu_start *sp = bpf_map_lookup_elem(&offcpu_starts, &ntid), st;
	if (!sp)
		return 0;
	/* copied at once: an LRU entry may be taken for another thread once deleted or evicted */
	__builtin_memcpy(&st, sp, sizeof(st));
	bpf_map_delete_elem(&offcpu_starts, &ntid);
	__u64 delta = now - st.ts;
	if (st.ts && now > st.ts && delta >= min_block_ns && delta >= 1000)
		add_count(&st.key, delta / 1000);
	return 0;
}

/* exec replaces the memory map, and a PID may be reused after exit: forget the image so the
 * process's next sample opens a new generation (samples already taken keep the old one).
 * BTF tracepoints: they need no tracefs mounted. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	bpf_map_delete_elem(&seen, &tgid);
	bpf_map_delete_elem(&stack_vmas, &tid);	/* a new stack */
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	/* a thread's cached stack mapping goes with it (its TID may be reused elsewhere) */
	__u32 tid = BPF_CORE_READ(p, pid);
	bpf_map_delete_elem(&stack_vmas, &tid);
	bpf_map_delete_elem(&offcpu_starts, &tid);
	/* the last thread to go (whichever it is): the process is gone */
	if (BPF_CORE_READ(p, signal, live.counter) == 0) {
		__u32 tgid = BPF_CORE_READ(p, tgid);
		struct seen_val *sv = bpf_map_lookup_elem(&seen, &tgid);
		if (sv) {	/* user space may let go of its image */
			announce(SMP_EV_EXIT, tgid, sv->gen);
			bpf_map_delete_elem(&seen, &tgid);
		}
		/* user space keeps the targets it was given (it waits for them to end) */
		__u8 *v = bpf_map_lookup_elem(&pids, &tgid);
		if (filter_pids && v && *v == SMP_PID_CHILD)
			bpf_map_delete_elem(&pids, &tgid);
	}
	return 0;
}

/* a new process forked by one of the set joins it, as perf follows children by default */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!filter_pids || !inherit)
		return 0;
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid || !bpf_map_lookup_elem(&pids, &ptgid))
		return 0;	/* a thread, or not ours */
	__u8 v = SMP_PID_CHILD;
	if (bpf_map_update_elem(&pids, &ctgid, &v, BPF_NOEXIST) == -E2BIG)
		count_error(SMP_ERR_PIDS_FULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
