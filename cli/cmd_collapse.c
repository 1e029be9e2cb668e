/* `scorch collapse`: fold perf script, bpftrace or folded input into sorted folded stacks. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_PID = 256, OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS, OPT_EVENT_FILTER,
       OPT_OUTPUT_FORMAT, OPT_SAMPLE_TYPE, OPT_COLLAPSE_RECURSION };

int cmd_collapse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "pid", no_argument, NULL, OPT_PID },
		{ "tid", no_argument, NULL, OPT_TID },
		{ "kernel", no_argument, NULL, OPT_KERNEL },
		{ "jit", no_argument, NULL, OPT_JIT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "addrs", no_argument, NULL, OPT_ADDRS },
		{ "event-filter", required_argument, NULL, OPT_EVENT_FILTER },
		{ "sample-type", required_argument, NULL, OPT_SAMPLE_TYPE },
		{ "collapse-recursion", no_argument, NULL, OPT_COLLAPSE_RECURSION },
		{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct collapse_opts opts = { 0 };
	enum input_format fmt = FMT_AUTO;
	enum out_kind out_kind = OUT_AUTO;
	const char *out_path = NULL;
	bool quiet = false, fold_recursion = false;
	int c, ret = EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'f':
			if (collapse_format_parse(optarg, &fmt)) {
				cli_err("collapse", "unknown format '%s' (auto, perf, bpftrace, folded, pprof)",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_PID: opts.pid = true; break;
		case OPT_TID: opts.tid = true; break;
		case OPT_KERNEL: opts.kernel = true; break;
		case OPT_JIT: opts.jit = true; break;
		case OPT_ALL: opts.kernel = opts.jit = true; break;
		case OPT_ADDRS: opts.addrs = true; break;
		case OPT_EVENT_FILTER: opts.event_filter = optarg; break;
		case OPT_SAMPLE_TYPE: opts.sample_type = optarg; break;
		case OPT_COLLAPSE_RECURSION: fold_recursion = true; break;
		case OPT_OUTPUT_FORMAT:
			if (cli_out_kind_parse("collapse", optarg, &out_kind))
				return EXIT_USAGE;
			break;
		case 'q': quiet = true; break;
		case 'h': cli_help("collapse", stdout); return EXIT_OK;
		case ':':
		default:
			return cli_option_error("collapse", c, argv);
		}
	}

	struct profile *p = prof_new();
	if (!p) {
		cli_err("collapse", "out of memory");
		return EXIT_USAGE;
	}
	int nfiles = argc - optind;
	for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
		const char *path = nfiles ? argv[optind + i] : "-";
		if (collapse_file(p, path, fmt, &opts)) {
			cli_print_diags("collapse", p);
			cli_err("collapse", "%s", prof_error(p));
			goto out;
		}
	}
	cli_print_diags("collapse", p);
	if (!quiet)
		for (size_t i = 0; i < prof_note_count(p) && prof_note_get(p, i); i++)
			cli_err("collapse", "note: %s", prof_note_get(p, i));
	if (prof_nstacks(p) == 0) {
		cli_err("collapse", "no stacks found in the input");
		goto out;
	}
	if (fold_recursion) {	/* a;b;b;b;c -> a;b;c, as stackcollapse-recursive.pl */
		struct profile *q = prof_new();
		if (!q || prof_fold_recursion(q, p)) {
			prof_free(q);
			cli_err("collapse", "out of memory");
			goto out;
		}
		cli_print_diags("collapse", q);
		prof_free(p);
		p = q;
	}
	/* collapse folds: a graph is `render`'s (an .svg name still gets folded text) */
	if (cli_out_is_graph(out_kind)) {
		cli_err("collapse", "--output-format: folded, pprof or speedscope (graphs: scorch "
				    "render)");
		goto out;
	}
	out_kind = cli_out_kind(out_kind, out_path, OUT_FOLDED);
	if (cli_out_is_graph(out_kind))
		out_kind = OUT_FOLDED;
	if (cli_write_profile("collapse", p, out_path, out_kind, NULL))
		goto out;
	ret = EXIT_OK;
out:
	prof_free(p);
	return ret;
}
