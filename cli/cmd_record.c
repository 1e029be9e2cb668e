/* `scorch record` and `scorch profile`: sample stacks with BPF (system-wide, some processes,
 * or a command started held until the probes are attached), then write folded stacks or a
 * graph. `profile` is `record` that always renders, with a title saying what was profiled. */
#include "cli.h"
#include "render.h"
#include "render_cli.h"

#ifdef SCORCH_NO_SAMPLER
/* built where there was no kernel BTF (or no bpftool/clang): every other command works */
int record_main(const char *cmd, int argc, char **argv, bool always_render)
{
	cli_err(cmd, "this scorch was built without the BPF sampler (no kernel BTF, bpftool or "
		     "clang at build time): rebuild on a kernel with BTF, or with "
		     "-DSCORCH_VMLINUX_H=path");
	return EXIT_USAGE;
}
#else
#include "lineio.h"
#include "push.h"
#include "sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char record_help[] =
	"usage: scorch record [options] [-o OUT] [-- CMD ARGS...]\n"
	"       scorch profile [options] [-o OUT] [-- CMD ARGS...]\n"
	"\n"
	"Samples kernel and user stacks on every CPU with a BPF perf-event program, for all\n"
	"processes, some processes (-p), or a command it starts (-- CMD: held until the probes are\n"
	"attached, recorded until it exits; scorch then exits with its status). Ctrl-C or SIGTERM\n"
	"ends the recording cleanly and still writes the output. record writes folded stacks\n"
	"(stdout, or OUT; OUT ending in .svg, .png or .pdf is rendered); profile always renders\n"
	"(SVG on stdout without -o). The summary on standard error ends with each CPU's busy\n"
	"share and run queue (mean and p99 tasks waiting) and a verdict: saturated, busy or idle\n"
	"(see `scorch runqlen`). Needs root, or CAP_BPF and CAP_PERFMON.\n"
	"\n"
	"  -o, --output FILE    folded stacks, or a graph for .svg .png .pdf, pprof for .pb.gz\n"
	"                       .pprof, speedscope for .speedscope.json (atomically)\n"
	CLI_OUTPUT_FORMAT_HELP
	"  -F, --freq HZ        sampling frequency per CPU (99)\n"
	"  -d, --duration SEC   stop after SEC seconds (default: Ctrl-C, or the command's end)\n"
	"  -p, --pid PID,...    only these processes\n"
	"  -t, --tid TID        only this thread\n"
	"      --no-inherit     -p, -- CMD: do not follow the processes they fork\n"
	"  -C, --cpu CPU,...    only these CPUs (ranges like 0-3 allowed)\n"
	"      --kernel-only    kernel stacks only\n"
	"      --user-only      user stacks only\n"
	"      --no-idle        leave out the idle task\n"
	"      --per-pid        root frames comm-PID\n"
	"      --per-thread     root frames comm-PID/TID\n"
	"      --per-cpu        a root frame cpu-N below the process\n"
	"  -g, --call-graph MODE  user stacks: dwarf (default: copy each sample's stack, unwind\n"
	"                       it with the binaries' CFI; works without frame pointers) or fp\n"
	"                       (the kernel walks frame pointers; cheaper, loses frames where\n"
	"                       code has none)\n"
	"      --stack-bytes N  dwarf: user stack bytes copied per sample (8192, at most 65528)\n"
	"      --stack-storage N  fp: stack map entries (16384)\n"
	"      --event EVENT    cpu-clock (default) or cycles\n"
	"      --off-cpu        off-CPU time instead of samples: at each context switch the\n"
	"                       stacks a thread leaves the CPU with, weighted by the time until\n"
	"                       it runs again (microseconds; blocked and preempted alike, the\n"
	"                       idle task never); user stacks by frame pointers (-g fp); the\n"
	"                       graph counts \"us\" in the io palette\n"
	"      --min-block US   --off-cpu: leave out blocks shorter than US microseconds (1)\n"
	"      --inline         inlined functions as frames (_[i]), from DWARF\n"
	"      --addrs          keep the address of frames without a symbol\n"
	"      --push URL       continuous: every interval's profile to a Pyroscope server\n"
	"                       (http://HOST:4040, its /ingest API), until Ctrl-C, -d or CMD's end\n"
	"      --push-dir DIR   continuous: one pprof file per interval into DIR\n"
	"      --every DUR      the interval (10s; 500ms, 3s, 1m)\n"
	"      --app NAME       the application name (scorch): NAME.cpu{LABELS}\n"
	"      --labels K=V,... labels of every profile pushed\n"
	"      --push-format F  pprof (default) or folded\n"
	"  -q, --quiet          no progress line\n"
	RENDER_OPTIONS_HELP
	"  -h, --help           this help\n";

enum {
	O_KERNEL_ONLY = 300, O_USER_ONLY, O_NO_IDLE, O_PER_PID, O_PER_THREAD, O_PER_CPU,
	O_STACK_STORAGE, O_EVENT, O_INLINE, O_ADDRS, O_STACK_BYTES, O_NO_INHERIT, O_OUTPUT_FORMAT,
	O_PUSH, O_PUSH_DIR, O_EVERY, O_APP, O_LABELS, O_PUSH_FORMAT, O_OFF_CPU, O_MIN_BLOCK,
};

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* continuous mode: each interval's stacks go to the pusher, then the counts start again */
struct push_ctx {
	struct pusher *pu;
	struct profile *p;
	double from;
};

static int on_interval(void *arg)
{
	struct push_ctx *c = arg;
	double now = wall_s();
	int err = push_interval(c->pu, c->p, c->from, now);
	prof_reset_counts(c->p);
	c->from = now;
	return err;
}

/* "10s", "500ms", "1m", "2.5" (seconds); at least 0.5 s */
static bool parse_duration(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || !(v > 0))
		return false;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (!strcmp(end, "m"))
		v *= 60;
	else if (*end && strcmp(end, "s"))
		return false;
	*out = v;
	return v >= 0.5 && v <= 86400;
}

/* how long a command gets to end after SIGTERM once the recording is over */
#define CHILD_GRACE_S 2.0

static volatile sig_atomic_t stop_flag;

/* the first Ctrl-C or SIGTERM ends the recording and still writes it; a second one ends
 * scorch at once (nothing is half-written: outputs are renamed into place when complete) */
static void on_signal(int sig)
{
	if (stop_flag) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_flag = sig;
}

/* Ends the command: sig, then SIGKILL if it is still there after CHILD_GRACE_S. */
static void end_child(pid_t child, int sig, int *status)
{
	kill(child, sig);
	for (int i = 0; i < (int)(CHILD_GRACE_S * 50); i++) {
		if (waitpid(child, status, WNOHANG) == child)
			return;
		usleep(20000);
	}
	kill(child, SIGKILL);
	waitpid(child, status, 0);
}

static void progress(const struct smp_stats *st, void *arg)
{
	fprintf(stderr, "\rscorch: recording %.0f s: %llu samples, %llu lost, %llu failed stacks\033[K",
		st->elapsed_s, (unsigned long long)st->samples, (unsigned long long)st->lost,
		(unsigned long long)st->failed_stacks);
	*(bool *)arg = true;
}

/* --call-graph dwarf: how the user stacks ended, and every way one was cut short */
static void print_unwind_summary(const char *cmd, const struct smp_stats *st,
				 const struct smp_opts *so)
{
	unsigned long long n = st->user_stacks, whole = st->unwind_ends[SYM_UNW_COMPLETE];
	cli_err(cmd, "dwarf: %llu user stacks, %llu whole (%.1f%%); truncated: %llu past the "
		"copy, %llu without CFI, %llu unwind errors, %llu too deep; %llu copies cut at "
		"%u bytes, %llu unreadable; %llu ring-buffer drops; %.1f us/stack unwinding",
		n, whole, n ? 100.0 * (double)whole / (double)n : 0.0,
		(unsigned long long)st->unwind_ends[SYM_UNW_COPY],
		(unsigned long long)st->unwind_ends[SYM_UNW_NO_CFI],
		(unsigned long long)st->unwind_ends[SYM_UNW_BAD],
		(unsigned long long)st->unwind_ends[SYM_UNW_DEPTH],
		(unsigned long long)st->copy_short, so->stack_bytes ? so->stack_bytes : SMP_STACK_BYTES,
		(unsigned long long)st->copy_faults, (unsigned long long)st->rb_drops,
		n ? st->unwind_us / (double)n : 0.0);
	if (so->unwind_check)
		cli_err(cmd, "unwind check: %llu stacks unwound both ways, %llu differ (and %llu where "
			"libdw gave up first)", (unsigned long long)st->check_stacks,
			(unsigned long long)st->check_diffs, (unsigned long long)st->check_ref_failed);
}

/* like a shell: the command's exit code, or 128 + the signal that ended it */
static int child_exit_code(int status)
{
	if (status == -1)
		return EXIT_USAGE;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int record_main(const char *cmd, int argc, char **argv, bool always_render)
{
	static const struct option base[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "freq", required_argument, NULL, 'F' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "kernel-only", no_argument, NULL, O_KERNEL_ONLY },
		{ "user-only", no_argument, NULL, O_USER_ONLY },
		{ "no-idle", no_argument, NULL, O_NO_IDLE },
		{ "per-pid", no_argument, NULL, O_PER_PID },
		{ "per-thread", no_argument, NULL, O_PER_THREAD },
		{ "per-cpu", no_argument, NULL, O_PER_CPU },
		{ "stack-storage", required_argument, NULL, O_STACK_STORAGE },
		{ "call-graph", required_argument, NULL, 'g' },
		{ "stack-bytes", required_argument, NULL, O_STACK_BYTES },
		{ "event", required_argument, NULL, O_EVENT },
		{ "inline", no_argument, NULL, O_INLINE },
		{ "addrs", no_argument, NULL, O_ADDRS },
		{ "no-inherit", no_argument, NULL, O_NO_INHERIT },
		{ "output-format", required_argument, NULL, O_OUTPUT_FORMAT },
		{ "push", required_argument, NULL, O_PUSH },
		{ "push-dir", required_argument, NULL, O_PUSH_DIR },
		{ "every", required_argument, NULL, O_EVERY },
		{ "app", required_argument, NULL, O_APP },
		{ "labels", required_argument, NULL, O_LABELS },
		{ "push-format", required_argument, NULL, O_PUSH_FORMAT },
		{ "off-cpu", no_argument, NULL, O_OFF_CPU },
		{ "min-block", required_argument, NULL, O_MIN_BLOCK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[sizeof(base) / sizeof(base[0]) + RENDER_NOPTIONS + 1];
	struct smp_opts so = { .sample_hz = 99, .dwarf = true };
	struct render_opts ro;
	const char *out_path = NULL;
	enum out_kind out_kind = OUT_AUTO;
	struct push_cfg pcfg = { 0 };
	double every = 10;
	bool every_set = false, graph_set = false, min_block_set = false;
	double duration = 0;
	bool quiet = false;
	unsigned long v;
	int c;

	render_options_table(longopts, base, sizeof(base) / sizeof(base[0]));
	render_opts_init(&ro);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:F:d:p:t:C:g:qh", longopts, NULL)) != -1) {
		int k = cli_sampling_option(c, optarg, &so, &duration);
		if (k < 0)
			goto bad_value;
		if (k)
			continue;
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'p': {
			int n = smp_parse_list(optarg, so.pids, SMP_MAX_FILTER);
			if (n <= 0)
				goto bad_value;
			so.npids = (size_t)n;
			break;
		}
		case 't':
			if (cli_parse_uint(optarg, UINT32_MAX, &v) || !v)
				goto bad_value;
			so.tid = (uint32_t)v;
			break;
		case O_KERNEL_ONLY: so.kernel_only = true; break;
		case O_USER_ONLY: so.user_only = true; break;
		case O_NO_IDLE: so.no_idle = true; break;
		case O_PER_PID: so.per_pid = true; break;
		case O_PER_THREAD: so.per_thread = true; break;
		case O_PER_CPU: so.per_cpu = true; break;
		case O_STACK_STORAGE:
			if (cli_parse_uint(optarg, 1u << 24, &v) || v < 16)
				goto bad_value;
			so.stack_storage = (unsigned)v;
			break;
		case O_OFF_CPU: so.off_cpu = true; break;
		case O_MIN_BLOCK:
			if (cli_parse_uint(optarg, UINT64_MAX / 1000, &v))
				goto bad_value;
			so.min_block_us = v;
			min_block_set = true;
			break;
		case 'g':
			graph_set = true;
			if (!strcmp(optarg, "dwarf"))
				so.dwarf = true;
			else if (!strcmp(optarg, "fp"))
				so.dwarf = false;
			else {
				cli_err(cmd, "unknown --call-graph '%s' (dwarf or fp)", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_STACK_BYTES:
			if (cli_parse_uint(optarg, SMP_STACK_BYTES_MAX, &v) || v < 64)
				goto bad_value;
			so.stack_bytes = (unsigned)v & ~7u;
			break;
		case O_EVENT:
			if (!strcmp(optarg, "cycles"))
				so.use_cycles = true;
			else if (strcmp(optarg, "cpu-clock")) {
				cli_err(cmd, "unknown event '%s' (cpu-clock or cycles)", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_INLINE: so.inline_frames = true; break;
		case O_ADDRS: so.addrs = true; break;
		case O_NO_INHERIT: so.no_inherit = true; break;
		case O_OUTPUT_FORMAT:
			if (cli_out_kind_parse(cmd, optarg, &out_kind))
				return EXIT_USAGE;
			break;
		case O_PUSH: pcfg.url = optarg; break;
		case O_PUSH_DIR: pcfg.dir = optarg; break;
		case O_APP: pcfg.app = optarg; break;
		case O_LABELS: pcfg.labels = optarg; break;
		case O_EVERY:
			if (!parse_duration(optarg, &every))
				goto bad_value;
			every_set = true;
			break;
		case O_PUSH_FORMAT:
			if (strcmp(optarg, "pprof") && strcmp(optarg, "folded"))
				goto bad_value;
			pcfg.folded = !strcmp(optarg, "folded");
			break;
		case 'q': quiet = true; break;
		case 'h': fputs(record_help, stdout); return EXIT_OK;
		case ':':
		case '?':
			return cli_option_error(cmd, c, argv);
		default: {
			const char *bad = render_option_set(&ro, c, optarg);
			if (bad) {
				cli_err(cmd, "%s", bad);
				return EXIT_USAGE;
			}
		}
		}
	}
	if (so.off_cpu) {
		if (graph_set && so.dwarf) {
			cli_err(cmd, "--off-cpu walks user stacks with frame pointers (-g fp): copying "
				     "the stack for DWARF at every context switch would cost too much");
			return EXIT_USAGE;
		}
		so.dwarf = false;
		/* the graph's unit and flamegraph.pl's palette for it, unless asked otherwise */
		struct render_opts dflt;
		render_opts_init(&dflt);
		if (ro.countname == dflt.countname)
			ro.countname = "us";
		if (ro.colors == dflt.colors)
			ro.colors = "io";
	} else if (min_block_set) {
		cli_err(cmd, "--min-block goes with --off-cpu");
		return EXIT_USAGE;
	}
	if (so.kernel_only && so.user_only) {
		cli_err(cmd, "--kernel-only and --user-only exclude each other");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < so.npids; i++) {
		if (kill((pid_t)so.pids[i], 0) && errno == ESRCH) {
			cli_err(cmd, "no process %u", so.pids[i]);
			return EXIT_USAGE;
		}
	}
	char **child_argv = optind < argc ? argv + optind : NULL;
	if (child_argv && so.npids) {
		cli_err(cmd, "-p and a command exclude each other");
		return EXIT_USAGE;
	}
	bool pushing = pcfg.url || pcfg.dir;
	if (pushing && so.off_cpu) {
		cli_err(cmd, "--push and --push-dir send CPU profiles: not with --off-cpu");
		return EXIT_USAGE;
	}
	if (!pushing && (pcfg.app || pcfg.labels || pcfg.folded || every_set)) {
		cli_err(cmd, "--every, --app, --labels and --push-format go with --push or --push-dir");
		return EXIT_USAGE;
	}
	if (pushing && (always_render || out_path || out_kind != OUT_AUTO)) {
		cli_err(cmd, always_render ? "--push and --push-dir are record's (profile renders "
					     "one graph)"
					   : "--push and --push-dir write every interval: no -o or "
					     "--output-format with them");
		return EXIT_USAGE;
	}
	/* record writes folded stacks and profile a graph, unless the output names another */
	out_kind = cli_out_kind(out_kind, out_path, always_render ? OUT_SVG : OUT_FOLDED);
	bool render_out = cli_out_is_graph(out_kind);
	if (render_out)
		ro.format = cli_out_render_format(out_kind);

	/* continuous mode: its configuration is checked before anything starts */
	struct pusher *pu = NULL;
	if (pushing) {
		char perr[256];
		pcfg.hz = so.sample_hz;
		if (push_open(&pu, &pcfg, perr, sizeof(perr))) {
			cli_err(cmd, "%s", perr);
			return EXIT_USAGE;
		}
	}

	/* -- CMD: started now, held on a pipe until the probes are attached */
	pid_t child = 0;
	int go[2] = { -1, -1 };
	if (child_argv) {
		if (pipe2(go, O_CLOEXEC)) {
			cli_err(cmd, "pipe: %s", strerror(errno));
			if (pu) {
				struct push_stats pst;
				push_close(pu, &pst);
			}
			return EXIT_USAGE;
		}
		child = fork();
		if (child < 0) {
			cli_err(cmd, "fork: %s", strerror(errno));
			if (pu) {
				struct push_stats pst;
				push_close(pu, &pst);
			}
			return EXIT_USAGE;
		}
		if (child == 0) {
			char b;
			close(go[1]);
			if (read(go[0], &b, 1) != 1)
				_exit(127);	/* scorch gave up before starting it */
			/* the profile owns standard output: the command's goes to standard error */
			if (!pushing && (!out_path || !strcmp(out_path, "-")))
				dup2(STDERR_FILENO, STDOUT_FILENO);
			execvp(child_argv[0], child_argv);
			fprintf(stderr, "scorch: %s: %s: %s\n", cmd, child_argv[0], strerror(errno));
			_exit(127);
		}
		close(go[0]);
		so.pids[0] = (uint32_t)child;
		so.npids = 1;
	}

	/* a root recording shows every process's stacks: new outputs are 0600, as perf's */
	aout_private_new_files(geteuid() == 0);

	/* hidden knobs for tests and bench/unwind: plain libdw instead of the rule cache, or
	 * both with a count of the stacks where they differ */
	const char *unw = getenv("SCORCH_UNWIND");
	so.unwinder = unw && strstr(unw, "libdw") ? SYM_UNWIND_LIBDW : SYM_UNWIND_CACHED;
	so.unwind_check = unw && strstr(unw, "check");

	struct smp_session *s = NULL;
	struct profile *p = prof_new();
	int ret = EXIT_USAGE, child_status = -1;
	char err[512];
	if (!p) {
		cli_err(cmd, "out of memory");
		goto out;
	}
	if (smp_open(&s, &so, p, err, sizeof(err))) {
		cli_err(cmd, "%s", err);
		goto out;
	}
	struct push_ctx pctx = { pu, p, 0 };
	if (pu)
		smp_set_interval(s, every, on_interval, &pctx);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (child) {
		if (write(go[1], "g", 1) != 1) {
			cli_err(cmd, "cannot start the command: %s", strerror(errno));
			goto out;
		}
		close(go[1]);
		go[1] = -1;
	}
	bool progressed = false;
	bool show = !quiet && isatty(STDERR_FILENO);
	struct timespec t0;
	clock_gettime(CLOCK_REALTIME, &t0);
	int64_t start_ns = (int64_t)t0.tv_sec * 1000000000 + t0.tv_nsec;
	pctx.from = (double)t0.tv_sec + t0.tv_nsec / 1e9;
	if (smp_run(s, duration, &stop_flag, child, &child_status, show ? progress : NULL,
		    &progressed)) {
		cli_err(cmd, "recording failed");
		goto out;
	}
	if (progressed)
		fputs("\r\033[K", stderr);
	/* stopped before the command ended (a signal, -d): nothing more is sampled, then the
	 * command is ended; the recording succeeded, so scorch exits 0 */
	bool ended_it = child && child_status == -1;
	if (ended_it) {
		smp_stop(s);
		end_child(child, stop_flag ? stop_flag : SIGTERM, &child_status);
	}

	struct smp_stats st;
	if (smp_collect(s, &st, err, sizeof(err))) {
		cli_err(cmd, "%s", err);
		goto out;
	}
	if (so.off_cpu)
		cli_err(cmd, "off-CPU: %llu blocks (%llu lost, %llu failed stacks), %.3f s blocked, "
			"%zu processes, %zu stacks, %.1f s", (unsigned long long)st.samples,
			(unsigned long long)st.lost, (unsigned long long)st.failed_stacks,
			(double)prof_total(p) / 1e6, st.processes, st.unique_stacks, st.elapsed_s);
	else
		cli_err(cmd, "%llu samples (%llu lost, %llu failed stacks), %zu processes, %zu "
			"stacks, %.1f s at %u Hz", (unsigned long long)st.samples,
			(unsigned long long)st.lost, (unsigned long long)st.failed_stacks,
			st.processes, st.unique_stacks, st.elapsed_s, so.sample_hz);
	if (st.lost || st.failed_stacks || st.events_lost || st.pids_full)
		cli_err(cmd, "losses: %llu stack-map collisions, %llu stack map full, %llu stacks "
			"unreadable, %llu counts map full, %llu ring-buffer drops, %llu new processes "
			"not announced, %llu children not followed (process set full)",
			(unsigned long long)st.collisions, (unsigned long long)st.stack_map_full,
			(unsigned long long)st.faults, (unsigned long long)st.counts_full,
			(unsigned long long)st.rb_drops, (unsigned long long)st.events_lost,
			(unsigned long long)st.pids_full);
	if (so.dwarf && !so.kernel_only)
		print_unwind_summary(cmd, &st, &so);
	struct smp_runq *rq = NULL;
	size_t nrq = 0;
	if (!smp_runq_read(s, &rq, &nrq))
		runq_print_summary(cmd, rq, nrq, smp_runq_layout_used(s));
	free(rq);
	if (pu) {
		/* the last, partial interval, then what is still queued is sent */
		int perr = prof_nstacks(p) ? push_interval(pu, p, pctx.from, wall_s()) : 0;
		struct push_stats pst;
		push_close(pu, &pst);
		pu = NULL;
		bool lost = perr || pst.rejected || pst.dropped || pst.unsent || pst.file_errors;
		cli_err(cmd, "push: %llu profiles (%llu samples)%s%s: %llu sent, %llu retried "
			"attempts, %llu rejected, %llu dropped (queue full), %llu unsent; %llu files",
			(unsigned long long)pst.intervals, (unsigned long long)pst.samples,
			pcfg.url ? " to " : "", pcfg.url ? pcfg.url : "",
			(unsigned long long)pst.sent, (unsigned long long)pst.retries,
			(unsigned long long)pst.rejected, (unsigned long long)pst.dropped,
			(unsigned long long)pst.unsent, (unsigned long long)pst.files);
		if (pst.stacks_folded || pst.lines_cut)
			cli_err(cmd, "push: within the server's limits: %llu stacks folded into "
				"[other stacks] (%d unique stacks at most), %llu stacks cut at 64 KiB "
				"([stack cut])", (unsigned long long)pst.stacks_folded, PUSH_MAX_STACKS,
				(unsigned long long)pst.lines_cut);
		if (lost) {
			cli_err(cmd, "push: not every profile was delivered: %s",
				perr ? strerror(-perr) : pst.last_error);
			goto out;
		}
		ret = child && !ended_it ? child_exit_code(child_status) : EXIT_OK;
		goto out;
	}
	if (prof_nstacks(p) == 0) {
		/* one rule for every path: nothing to show is a failure, and no file is written */
		cli_err(cmd, "no samples were recorded: nothing written");
		goto out;
	}
	if (!render_out) {
		struct cli_out_meta meta = { .hz = so.sample_hz, .time_nanos = start_ns,
					     .duration_nanos = (int64_t)(st.elapsed_s * 1e9),
					     .name = "scorch record", .per_process = true,
					     .off_cpu_us = so.off_cpu };
		if (cli_write_profile(cmd, p, out_path, out_kind, &meta))
			goto out;
	} else {
		char title[512];
		if (!ro.title) {
			char what[256];
			if (child_argv) {
				size_t n = 0;
				for (char **a = child_argv; *a && n < sizeof(what) - 2; a++)
					n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%s",
							      a == child_argv ? "" : " ", *a);
				snprintf(what + (n < sizeof(what) - 24 ? n : sizeof(what) - 24), 24,
					 " (pid %d)", (int)child);
			} else if (so.npids) {
				size_t n = (size_t)snprintf(what, sizeof(what), "pid");
				for (size_t i = 0; i < so.npids && n < sizeof(what) - 12; i++)
					n += (size_t)snprintf(what + n, sizeof(what) - n, "%s%u",
							      i ? "," : " ", so.pids[i]);
			} else {
				snprintf(what, sizeof(what), "all processes");
			}
			if (so.off_cpu)
				snprintf(title, sizeof(title), "scorch: off-CPU time of %s, %.1f s, %llu "
					 "blocks", what, st.elapsed_s, (unsigned long long)st.samples);
			else
				snprintf(title, sizeof(title), "scorch: %s, %.1f s at %u Hz, %llu samples",
					 what, st.elapsed_s, so.sample_hz,
					 (unsigned long long)st.samples);
			ro.title = title;
		}
		if (render_file(p, &ro, out_path, err, sizeof(err))) {
			cli_err(cmd, "%s", err);
			goto out;
		}
	}
	ret = child && !ended_it ? child_exit_code(child_status) : EXIT_OK;
out:
	if (child && child_status == -1) {
		if (go[1] >= 0) {
			close(go[1]);	/* never started: it exits 127 */
			waitpid(child, NULL, 0);
		} else {
			end_child(child, SIGTERM, &child_status);
		}
	}
	smp_close(s);
	if (pu) {
		struct push_stats pst;
		push_close(pu, &pst);
		if (pst.intervals)
			cli_err(cmd, "push: %llu profiles made before the failure (%llu sent)",
				(unsigned long long)pst.intervals, (unsigned long long)pst.sent);
	}
	prof_free(p);
	return ret;
bad_value:
	return cli_bad_value(cmd, c, optarg, longopts);
}
#endif

int cmd_record(int argc, char **argv)
{
	return record_main("record", argc, argv, false);
}
