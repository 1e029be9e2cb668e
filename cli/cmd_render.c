/* `scorch render`: folded stacks (files merged, or stdin) to an SVG, PNG or PDF flame graph,
 * with flamegraph.pl's option names so it drops into existing scripts. */
#include "cli.h"
#include "render.h"
#include "render_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char render_help[] =
	"usage: scorch render [options] [FILE...] [-o OUT]\n"
	"\n"
	"Draws a flame graph from folded stacks (`a;b;c COUNT`; two count columns make a\n"
	"differential graph), or from any input `scorch collapse` reads (perf script, bpftrace,\n"
	"pprof: detected). Files are merged; no file or `-` reads standard input. The output\n"
	"is SVG on standard output, or OUT: .svg, .png or .pdf by its extension or --format.\n"
	"\n"
	"  -o, --output FILE    write to FILE (atomically)\n"
	"      --format FMT     svg, png or pdf\n"
	RENDER_OPTIONS_HELP
	"  -h, --help           this help\n";

int cmd_render(int argc, char **argv)
{
	static const struct option base[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[sizeof(base) / sizeof(base[0]) + RENDER_NOPTIONS + 1];
	struct render_opts ro;
	const char *out_path = NULL;
	int c, ret = EXIT_USAGE;

	render_options_table(longopts, base, sizeof(base) / sizeof(base[0]));
	render_opts_init(&ro);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'F':
			if (!strcmp(optarg, "svg"))
				ro.format = RENDER_SVG;
			else if (!strcmp(optarg, "png"))
				ro.format = RENDER_PNG;
			else if (!strcmp(optarg, "pdf"))
				ro.format = RENDER_PDF;
			else {
				cli_err("render", "unknown format '%s' (svg, png or pdf)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': fputs(render_help, stdout); return EXIT_OK;
		case ':':
		case '?':
			return cli_option_error("render", c, argv);
		default: {
			const char *bad = render_option_set(&ro, c, optarg);
			if (bad) {
				cli_err("render", "%s", bad);
				return EXIT_USAGE;
			}
		}
		}
	}

	struct profile *p = prof_new();
	if (!p) {
		cli_err("render", "out of memory");
		return EXIT_USAGE;
	}
	if (ro.flamechart)
		prof_keep_order(p);
	int nfiles = argc - optind;
	for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
		const char *path = nfiles ? argv[optind + i] : "-";
		if (collapse_file(p, path, FMT_AUTO, NULL)) {
			cli_print_diags("render", p);
			cli_err("render", "%s", prof_error(p));
			goto out;
		}
	}
	cli_print_diags("render", p);
	if (prof_nstacks(p) == 0 || prof_total(p) <= 0) {
		cli_err("render", "no stack counts found in the input");
		goto out;
	}
	char err[512];
	if (render_file(p, &ro, out_path, err, sizeof(err))) {
		cli_err("render", "%s", err);
		goto out;
	}
	ret = EXIT_OK;
out:
	prof_free(p);
	return ret;
}
