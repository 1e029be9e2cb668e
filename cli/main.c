/* scorch's entry point: a table of subcommands in the style of git and bpftool. Each command
 * lives in its own cmd_*.c, parses its options and calls the stage libraries. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SCORCH_VERSION
#define SCORCH_VERSION "0.0.0"
#endif

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
	const char *help;
};

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_hz(const char *s, unsigned *hz)
{
	unsigned long v;
	if (cli_parse_uint(s, 1000000, &v) || !v)
		return -EINVAL;
	*hz = (unsigned)v;
	return 0;
}

int cli_parse_seconds(const char *s, double *seconds)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || v > 1e9)
		return -EINVAL;
	*seconds = v;
	return 0;
}

static const struct cmd cmds[] = {
	{ "collapse", cmd_collapse, "fold perf script, bpftrace or folded input into folded stacks",
	  "usage: scorch collapse [options] [FILE...]\n"
	  "\n"
	  "Folds profiler output into folded stacks (`a;b;c COUNT`), sorted by stack, or writes\n"
	  "them as pprof or speedscope. Input: files (plain or gzip) or standard input (no file,\n"
	  "or `-`). The format is detected (perf script output, bpftrace map dump, pprof,\n"
	  "folded) or set with --format.\n"
	  "\n"
	  "  -o, --output FILE    write to FILE (atomically) instead of standard output\n"
	  "  -f, --format FMT     input: auto, perf, bpftrace, folded or pprof (default auto)\n"
	  "      --output-format F  folded, pprof or speedscope (default: by the extension of\n"
	  "                       -o: .pb.gz .pprof .pb, .speedscope.json; else folded)\n"
	  "      --sample-type T  pprof input: the value to fold (default: cpu, else the first)\n"
	  "      --collapse-recursion  fold consecutive repeats of a frame into one (a;b;b;c ->\n"
	  "                       a;b;c), as stackcollapse-recursive.pl does\n"
	  "      --pid            include the PID with process names (perf)\n"
	  "      --tid            include the PID and TID with process names (perf)\n"
	  "      --kernel         annotate kernel frames with _[k]\n"
	  "      --jit            annotate JIT frames with _[j] (perf)\n"
	  "      --all            all annotations (--kernel --jit)\n"
	  "      --addrs          keep raw addresses and +offsets where symbols are missing\n"
	  "      --event-filter E only samples of event E (perf; default: the first event seen)\n"
	  "  -q, --quiet          do not print notes about skipped input\n"
	  "  -h, --help           this help\n" },
	{ "render", cmd_render, "draw an SVG, PNG or PDF flame graph from folded stacks", NULL },
	{ "record", cmd_record, "sample stacks with BPF and write folded stacks or a graph", NULL },
	{ "profile", cmd_profile, "record, then render, in one command", NULL },
	{ "diff", cmd_diff, "compare two profiles: differential flame graph or folded", NULL },
	{ "check", cmd_check, "CI gate: fail when a profile regressed against a baseline", NULL },
	{ "runqlen", cmd_runqlen, "run-queue length per CPU: is the CPU saturated?", NULL },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: scorch [--version] [--help] COMMAND [ARGS...]\n\n"
		     "Flame graphs from BPF sampling, perf and bpftrace, natively.\n\nCommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\nRun `scorch help COMMAND` or `scorch COMMAND --help` for a command's options.\n");
}

int cli_help(const char *name, FILE *out)
{
	const struct cmd *c = cmd_find(name);
	if (!c)
		return -1;
	if (c->help) {
		fputs(c->help, out);
		return 0;
	}
	/* commands that keep their help text beside their options print it themselves */
	char *argv[] = { (char *)c->name, (char *)"--help", NULL };
	c->func(2, argv);
	return 0;
}

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (cmd)
		fprintf(stderr, "scorch: %s: ", cmd);
	else
		fprintf(stderr, "scorch: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_diags(const char *cmd, const struct profile *p)
{
	size_t kept = prof_diag_kept(p), total = prof_diag_count(p);
	for (size_t i = 0; i < kept; i++) {
		const struct prof_diag_entry *e = prof_diag_get(p, i);
		cli_err(cmd, "%s: %s", e->where, e->msg);
	}
	if (total > kept)
		cli_err(cmd, "... %zu more bad lines skipped (%zu in all)", total - kept, total);
}

int cli_write_folded(const char *cmd, const struct profile *p, const char *path)
{
	struct atomic_out out;
	int err = aout_open(&out, path);
	if (!err)
		err = fold_write(p, out.fp);
	if (!err)
		err = aout_commit(&out);
	else
		aout_abort(&out);
	if (err) {
		cli_err(cmd, "%s: %s", path ? path : "<stdout>", strerror(-err));
		return -1;
	}
	return 0;
}

int cli_usage_error(const char *cmd, const char *what)
{
	cli_err(cmd, "%s (see `scorch help %s`)", what, cmd);
	return EXIT_USAGE;
}

int cli_option_error(const char *cmd, int getopt_result, char **argv)
{
	char msg[256];
	snprintf(msg, sizeof(msg), getopt_result == ':' ? "option '%s' needs a value"
						       : "unknown option '%s'", argv[optind - 1]);
	return cli_usage_error(cmd, msg);
}

int cli_bad_value(const char *cmd, int c, const char *value, const struct option *longopts)
{
	const char *name = NULL;
	char msg[256];
	for (const struct option *o = longopts; o && o->name; o++)
		if (o->val == c) {
			name = o->name;
			break;
		}
	if (name && c > ' ' && c < 127)
		snprintf(msg, sizeof(msg), "invalid value '%.60s' for -%c/--%s", value, c, name);
	else if (name)
		snprintf(msg, sizeof(msg), "invalid value '%.60s' for --%s", value, name);
	else
		snprintf(msg, sizeof(msg), "invalid value '%.60s' for -%c", value, c);
	return cli_usage_error(cmd, msg);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V") || !strcmp(name, "version")) {
		printf("scorch %s\n", SCORCH_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		if (cli_help(argv[2], stdout)) {
			cli_err(NULL, "no such command '%s' (see `scorch --help`)", argv[2]);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	const struct cmd *c = cmd_find(name);
	if (!c) {
		if (name[0] == '-')
			cli_err(NULL, "unknown option '%s' (see `scorch --help`)", name);
		else
			cli_err(NULL, "no such command '%s' (see `scorch --help`)", name);
		return EXIT_USAGE;
	}
	/* commands see argv[0] as their own name, like git's builtins */
	return c->func(argc - 1, argv + 1);
}
