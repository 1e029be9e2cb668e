/* The one header the BPF sampler and user space share: the map key, event and error slots,
 * and limits. __u32-style types so it compiles on both sides. */
#ifndef SCORCH_BPF_PROFILE_H
#define SCORCH_BPF_PROFILE_H

#define SCORCH_COMM_LEN 16
#define SCORCH_MAX_STACK_DEPTH 127	/* PERF_MAX_STACK_DEPTH */
#define SCORCH_MAX_COUNTS 65536		/* unique (task, stacks) keys */
#define SCORCH_MAX_PIDS 8192		/* process set of -p / -- CMD and their children */
#define SMP_PID_TARGET 1		/* pids map values: a process named by -p or -- CMD */
#define SMP_PID_CHILD 2			/* one forked since by the set (--no-inherit: none) */
#define SCORCH_STACK_BYTES 8192		/* --stack-bytes default: user stack copied per sample */
#define SCORCH_STACK_BYTES_MAX 65528	/* perf's limit for a user stack dump */
#define SCORCH_NREGS 17			/* x86_64 DWARF registers 0..16 (rip is 16) */

/* one counted sample: who ran, where, with which stacks */
struct sample_key {
	__u32 tgid;
	__u32 gen;		/* process image generation: new on first sight and on exec */
	__u32 pid;		/* thread id with --per-thread, else 0 */
	__u32 cpu;		/* with --per-cpu, else 0 */
	__s32 kern_stack_id;	/* < 0: none (see errors) */
	__s32 user_stack_id;
	char comm[SCORCH_COMM_LEN];
};

/* failures, counted per CPU and reported, never silent */
enum smp_error {
	SMP_ERR_KSTACK_COLLISION,	/* -EEXIST: hash bucket taken by another stack */
	SMP_ERR_KSTACK_FULL,		/* -ENOMEM: stack map full */
	SMP_ERR_KSTACK_FAULT,		/* unused: -EFAULT means a user-mode sample */
	SMP_ERR_USTACK_COLLISION,
	SMP_ERR_USTACK_FULL,
	SMP_ERR_USTACK_FAULT,		/* also a kernel thread's (absent) user stack */
	SMP_ERR_COUNTS_FULL,		/* counts map full: the sample is lost */
	SMP_ERR_EVENTS_LOST,		/* ring buffer full: a new process not announced */
	SMP_ERR_SAMPLES,		/* not an error: every sample the program kept */
	SMP_ERR_RB_DROPS,		/* --call-graph dwarf: ring buffer full, sample dropped */
	SMP_ERR_COPY_SHORT,		/* the user stack was longer than --stack-bytes */
	SMP_ERR_COPY_FAULT,		/* the user stack could not be read at all */
	SMP_ERR_PIDS_FULL,		/* a forked child not followed: process set full */
	SMP_ERR_MAX,
};

/* ring buffer events: a process image seen for the first time (snapshot its maps now, while
 * it lives), a refresh of its maps, or (--call-graph dwarf) one sample */
enum smp_event_type {
	SMP_EV_NEW_PROCESS = 1, SMP_EV_REFRESH = 3, SMP_EV_SAMPLE = 4,
	SMP_EV_EXIT = 5,	/* a seen process ended: after its last sample in the ring */
};

/* A process is announced on its first sample, then again after 5, 10, 20 ... ms of sampling
 * (up to 1.28 s): its first snapshot may be taken while ld.so is still mapping libraries, and
 * a short-lived process must be caught with its libraries before it exits. */
#define SCORCH_REFRESH_FIRST_NS 5000000ULL
#define SCORCH_REFRESH_LAST_NS 1280000000ULL
struct seen_val {
	__u64 next_ns;
	__u64 interval_ns;	/* 0: no more refreshes */
	__u32 gen;		/* this image's generation (a global counter: a reused PID or an
				 * exec gets a new one, so samples are named against their image) */
	__u32 pad;
};
struct smp_event {
	__u32 type;
	__u32 tgid;
	__u32 gen;
	__u32 pad;
};

/* --call-graph dwarf: one sample with the kernel stack, the user registers and a copy of the
 * live user stack from sp (stack_bytes follow the struct), unwound in user space */
struct smp_sample_event {
	__u32 type;		/* SMP_EV_SAMPLE */
	__u32 tgid;
	__u32 gen;
	__u32 pid;
	__u32 cpu;
	__s32 kstack_bytes;	/* bytes of kips, or -errno */
	__u32 ustack_bytes;	/* bytes copied to stack[]; 0 with no user stack */
	__u32 flags;		/* SMP_SF_* */
	char comm[SCORCH_COMM_LEN];
	__u64 regs[SCORCH_NREGS];	/* user registers, DWARF numbering */
	__u64 kips[SCORCH_MAX_STACK_DEPTH];
	__u8 stack[];
};
#define SMP_SF_USER 1		/* the task has a user stack (regs valid) */
#define SMP_SF_COPY_SHORT 2	/* stack[] ends before the top of the stack */

/* Run queues, in every recording: at each sample, whether the CPU was idle and how many tasks
 * waited for it. Two measures: runqlen.bt's (the sampled task's CFS queue, minus itself) and
 * the whole run queue's (rq->nr_running, every scheduling class, minus the running task). One
 * per-CPU value; lengths past the last bucket count in it. */
#define SCORCH_RUNQ_BUCKETS 64
struct runq_hist {
	__u64 samples;
	__u64 idle;		/* samples where the CPU ran its idle task */
	__u64 cfs[SCORCH_RUNQ_BUCKETS];
	__u64 rq[SCORCH_RUNQ_BUCKETS];
};
/* which field of struct cfs_rq counts its queued entities (chosen from the kernel's BTF) */
enum smp_runq_layout {
	SMP_RUNQ_NONE = 0,		/* neither: the CFS measure is not taken */
	SMP_RUNQ_NR_QUEUED = 1,		/* cfs_rq.nr_queued (Linux 6.14 on) */
	SMP_RUNQ_NR_RUNNING = 2,	/* cfs_rq.nr_running (before) */
};

/* --off-cpu: a thread switched out, waiting to run again (its counts key, stacks taken at the
 * switch) */
struct offcpu_start {
	__u64 ts;
	struct sample_key key;
};

#endif
