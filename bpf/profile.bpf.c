// SPDX-License-Identifier: GPL-2.0
/* scorch's sampler: a perf_event program run at the sampling frequency on every CPU. It
 * counts (task, kernel stack, user stack) in a hash map, stores stacks in a stack-trace map
 * (no BPF_F_REUSE_STACKID: a colliding stack is counted as a failure, not merged into
 * another), counts every failure per CPU, and announces each new process over a ring buffer
 * so user space can read its memory map while it is alive. Options are const volatile
 * globals set before load, so one object serves every mode (CO-RE, nothing compiled at run
 * time). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

#define EEXIST 17
#define ENOMEM 12
#define EFAULT 14

const volatile bool kernel_only = false;
const volatile bool user_only = false;
const volatile bool include_idle = true;
const volatile bool per_cpu = false;
const volatile bool per_thread = false;
const volatile bool filter_pids = false;
const volatile __u32 filter_tid = 0;

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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

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

static __always_inline void announce(__u32 type, __u32 tgid)
{
	struct smp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_error(SMP_ERR_EVENTS_LOST);
		return;
	}
	e->type = type;
	e->tgid = tgid;
	bpf_ringbuf_submit(e, 0);
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, pid = (__u32)id;
	__u32 cpu = bpf_get_smp_processor_id();	/* -C: events are opened only on those CPUs */
	struct sample_key key = {};

	if (!include_idle && pid == 0)
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_tid && pid != filter_tid)
		return 0;

	key.tgid = tgid;
	key.pid = per_thread ? pid : 0;
	key.cpu = per_cpu ? cpu : 0;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	key.kern_stack_id = -1;
	key.user_stack_id = -1;
	if (!user_only) {
		long sid = bpf_get_stackid(ctx, &stacks, 0);
		/* -EFAULT: the sample was taken in user mode, there is no kernel stack */
		if (sid < 0 && sid != -EFAULT)
			stack_error(sid, false);
		key.kern_stack_id = (__s32)sid;
	}
	/* kernel threads have no user stack (and no memory map to read) */
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	bool has_mm = BPF_CORE_READ(task, mm) != NULL;
	if (!kernel_only && tgid && has_mm) {
		long sid = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		if (sid < 0)
			stack_error(sid, true);
		key.user_stack_id = (__s32)sid;
		/* first sample of this process: let user space capture its maps now, and again
		 * a few times while it starts (see SCORCH_REFRESH_FIRST_NS) */
		__u64 now = bpf_ktime_get_ns();
		struct seen_val *sv = bpf_map_lookup_elem(&seen, &tgid);
		if (!sv) {
			struct seen_val v = { now + SCORCH_REFRESH_FIRST_NS, SCORCH_REFRESH_FIRST_NS };
			bpf_map_update_elem(&seen, &tgid, &v, BPF_ANY);
			announce(SMP_EV_NEW_PROCESS, tgid);
		} else if (sv->interval_ns && now >= sv->next_ns) {
			__u64 next = sv->interval_ns * 2;
			sv->interval_ns = next > SCORCH_REFRESH_LAST_NS ? 0 : next;
			sv->next_ns = now + next;
			announce(SMP_EV_REFRESH, tgid);
		}
	}

	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		__sync_fetch_and_add(v, 1);
	} else {
		__u64 one = 1;
		if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
			v = bpf_map_lookup_elem(&counts, &key);	/* another CPU added it */
			if (v)
				__sync_fetch_and_add(v, 1);
			else {
				count_error(SMP_ERR_COUNTS_FULL);
				return 0;
			}
		}
	}
	count_error(SMP_ERR_SAMPLES);
	return 0;
}

/* exec replaces the memory map: forget the process so its next sample announces it again.
 * A BTF tracepoint: it needs no tracefs mounted. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	bpf_map_delete_elem(&seen, &tgid);
	announce(SMP_EV_EXEC, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
