/* `scorch runqlen`: the run queue of every CPU, sampled at a frequency, as runqlen.bt prints
 * it (one histogram, or one per CPU), or as JSON; and the run-queue lines every recording's
 * summary ends with (runq_print_summary). */
#include "cli.h"

#ifdef SCORCH_NO_SAMPLER
int cmd_runqlen(int argc, char **argv)
{
	cli_err("runqlen", "this scorch was built without the BPF sampler (no kernel BTF, bpftool "
			   "or clang at build time)");
	return EXIT_USAGE;
}
#else
#include "sampler.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char runqlen_help[] =
	"usage: scorch runqlen [-F HZ] [-d SEC] [-C CPU,...] [--per-cpu] [--all-classes] [--json]\n"
	"\n"
	"Samples every CPU's run queue HZ times a second (99) until Ctrl-C or -d, then prints\n"
	"runqlen.bt's histogram of how many tasks waited for the CPU at each sample (the sampled\n"
	"task's CFS queue, less itself: cfs_rq.nr_queued on Linux 6.14 and later, nr_running\n"
	"before, chosen from the kernel's BTF), then each CPU's busy share, mean and p99 queue and a\n"
	"verdict on standard error. Long queues: more runnable threads than CPUs (saturation).\n"
	"Short queues on busy CPUs: the running code itself is slow (take its flame graph).\n"
	"Needs root, or CAP_BPF and CAP_PERFMON.\n"
	"\n"
	"  -F, --freq HZ        samples per second per CPU (99)\n"
	"  -d, --duration SEC   stop after SEC seconds (default: Ctrl-C)\n"
	"  -C, --cpu CPU,...    only these CPUs\n"
	"      --per-cpu        one histogram per CPU (@runqlen[CPU])\n"
	"      --all-classes    histogram the whole run queue (rq->nr_running less the running\n"
	"                       task: every scheduling class and cgroup) instead of runqlen.bt's\n"
	"      --json           one JSON object on standard output: per CPU samples, idle, busy\n"
	"                       %, both histograms with mean and p99, the total and the verdict\n"
	"  -h, --help           this help\n";

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
	stop_flag = sig;
}

/* bpftrace's lhist(len, 0, 64, 1) layout: the buckets from the first to the last used */
static void print_hist(FILE *out, const char *name, const uint64_t *h)
{
	int lo = -1, hi = -1;
	uint64_t max = 0;
	for (int i = 0; i < SMP_RUNQ_BUCKETS; i++) {
		if (!h[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (h[i] > max)
			max = h[i];
	}
	fprintf(out, "%s:\n", name);
	for (int i = lo; i >= 0 && i <= hi; i++) {
		char label[32], bar[53];
		if (i == SMP_RUNQ_BUCKETS - 1)
			snprintf(label, sizeof(label), "[%d, ...)", i);
		else
			snprintf(label, sizeof(label), "[%d, %d)", i, i + 1);
		size_t w = max ? (size_t)((double)h[i] * 52 / (double)max) : 0;
		memset(bar, '@', w);
		memset(bar + w, ' ', 52 - w);
		bar[52] = '\0';
		fprintf(out, "%-19s %8llu |%s|\n", label, (unsigned long long)h[i], bar);
	}
	fputc('\n', out);
}

static void json_hist(FILE *out, const char *name, const uint64_t *h)
{
	struct smp_runq_stat st;
	smp_runq_stat(h, &st);
	int hi = 0;
	for (int i = 0; i < SMP_RUNQ_BUCKETS; i++)
		if (h[i])
			hi = i;
	fprintf(out, "\"%s\": {\"mean\": %.4f, \"p99\": %u, \"hist\": [", name, st.mean, st.p99);
	for (int i = 0; i <= hi; i++)
		fprintf(out, "%s%llu", i ? ", " : "", (unsigned long long)h[i]);
	fputs("]}", out);
}

static void json_cpu(FILE *out, const struct smp_runq *r)
{
	double busy = 100.0 * smp_runq_busy(r);
	if (r->cpu != UINT32_MAX)
		fprintf(out, "{\"cpu\": %u, ", r->cpu);
	else
		fputs("{", out);
	fprintf(out, "\"samples\": %llu, \"expected\": %llu, \"idle\": %llu, \"busy_pct\": %.2f, ",
		(unsigned long long)r->samples, (unsigned long long)r->expected,
		(unsigned long long)r->idle, busy);
	json_hist(out, "runqlen", r->cfs);
	fputs(", ", out);
	json_hist(out, "all_classes", r->rq);
	fputs("}", out);
}

/* a JSON string of a verdict (our own text: ASCII, no quotes or backslashes) */
static void json_text(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++)
		if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			fputc(*s, out);
	fputc('"', out);
}

int cli_sampling_option(int c, const char *arg, struct smp_opts *so, double *duration)
{
	int n;
	switch (c) {
	case 'F':
		return cli_parse_hz(arg, &so->sample_hz) ? -1 : 1;
	case 'd':
		return cli_parse_seconds(arg, duration) ? -1 : 1;
	case 'C':
		if ((n = smp_parse_list(arg, so->cpus, SMP_MAX_FILTER)) <= 0)
			return -1;
		so->ncpus = (size_t)n;
		return 1;
	default:
		return 0;
	}
}

void runq_print_summary(const char *cmd, const struct smp_runq *r, size_t n, int layout)
{
	char line[1024], verdict[256];
	size_t len = 0;
	/* eight CPUs to a line */
	for (size_t i = 0; i < n; i++) {
		struct smp_runq_stat st;
		smp_runq_stat(r[i].rq, &st);
		double busy = 100.0 * smp_runq_busy(&r[i]);
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%scpu%u %.0f%% busy, %.2f "
					"waiting (p99 %u)", len ? "; " : "", r[i].cpu, busy, st.mean,
					st.p99);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		if (i % 8 == 7 || i + 1 == n) {
			cli_err(cmd, "run queues: %s", line);
			len = 0;
		}
	}
	struct smp_runq all;
	struct smp_runq_stat cfs;
	smp_runq_sum(r, n, &all);
	smp_runq_stat(all.cfs, &cfs);
	if (layout)
		cli_err(cmd, "runqlen.bt's measure (%s): mean %.2f, p99 %u", smp_runq_layout_name(layout),
			cfs.mean, cfs.p99);
	cli_err(cmd, "%s", smp_runq_verdict(r, n, verdict, sizeof(verdict)));
}

int cmd_runqlen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "freq", required_argument, NULL, 'F' },
		{ "duration", required_argument, NULL, 'd' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "per-cpu", no_argument, NULL, 'P' },
		{ "all-classes", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "runqlen";
	struct smp_opts so = { .sample_hz = 99, .runq_only = true };
	bool per_cpu = false, all_classes = false, json = false;
	double duration = 0;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:F:d:C:h", longopts, NULL)) != -1) {
		int k = cli_sampling_option(c, optarg, &so, &duration);
		if (k < 0)
			goto bad_value;
		if (k)
			continue;
		switch (c) {
		case 'P': per_cpu = true; break;
		case 'A': all_classes = true; break;
		case 'J': json = true; break;
		case 'h': fputs(runqlen_help, stdout); return EXIT_OK;
		default: return cli_option_error(cmd, c, argv);
		}
	}
	if (optind < argc) {
		cli_err(cmd, "unexpected argument '%s' (see --help)", argv[optind]);
		return EXIT_USAGE;
	}
	struct profile *p = prof_new();
	struct smp_session *s = NULL;
	struct smp_runq *r = NULL;
	size_t n = 0;
	char err[512];
	int ret = EXIT_USAGE;
	if (!p) {
		cli_err(cmd, "out of memory");
		goto out;
	}
	if (smp_open(&s, &so, p, err, sizeof(err))) {
		cli_err(cmd, "%s", err);
		goto out;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!duration && isatty(STDERR_FILENO))
		cli_err(cmd, "sampling run queues at %u Hz; Ctrl-C to end", so.sample_hz);
	if (smp_run(s, duration, &stop_flag, 0, NULL, NULL, NULL)) {
		cli_err(cmd, "sampling failed");
		goto out;
	}
	smp_stop(s);
	int e = smp_runq_read(s, &r, &n);
	if (e) {
		cli_err(cmd, "reading the run queues: %s", strerror(-e));
		goto out;
	}
	struct smp_runq all;
	smp_runq_sum(r, n, &all);
	if (!all.samples) {
		cli_err(cmd, "no samples were taken");
		goto out;
	}
	char verdict[256];
	smp_runq_verdict(r, n, verdict, sizeof(verdict));
	if (json) {
		printf("{\"hz\": %u, \"layout\": \"%s\", \"cpus\": [", so.sample_hz,
		       smp_runq_layout_name(smp_runq_layout_used(s)));
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",\n  " : "\n  ", stdout);
			json_cpu(stdout, &r[i]);
		}
		fputs("],\n \"all\": ", stdout);
		json_cpu(stdout, &all);
		fputs(",\n \"verdict\": ", stdout);
		json_text(stdout, verdict);
		fputs("}\n", stdout);
	} else if (per_cpu) {
		for (size_t i = 0; i < n; i++) {
			char name[32];
			snprintf(name, sizeof(name), "@runqlen[%u]", r[i].cpu);
			print_hist(stdout, name, all_classes ? r[i].rq : r[i].cfs);
		}
	} else {
		print_hist(stdout, "@runqlen", all_classes ? all.rq : all.cfs);
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_err(cmd, "<stdout>: %s", strerror(errno));
		goto out;
	}
	runq_print_summary(cmd, r, n, smp_runq_layout_used(s));
	ret = EXIT_OK;
out:
	free(r);
	smp_close(s);
	prof_free(p);
	return ret;
bad_value:
	return cli_bad_value(cmd, c, optarg, longopts);
}
#endif
