/* `scorch diff BEFORE AFTER`: a differential flame graph (red grew, blue shrank), or with
 * --folded the two-column folded text of difffolded.pl. */
#include "cli.h"
#include "diff.h"
#include "render.h"
#include "render_cli.h"

#include <getopt.h>
#include <string.h>

static const char diff_help[] =
	"usage: scorch diff BEFORE AFTER [-n] [-s] [--folded] [-o OUT] [render options]\n"
	"\n"
	"Compares two profiles (any input `scorch collapse` reads). By default draws a\n"
	"differential flame graph: the AFTER profile's shape (--negate: BEFORE's), red where a\n"
	"frame grew, blue where it shrank, tooltips `NAME (N samples, P%; +D%)`. With --folded,\n"
	"writes `stack before after` lines as difffolded.pl does, sorted by stack.\n"
	"\n"
	"  -n, --normalize      scale BEFORE's counts to AFTER's total\n"
	"  -s, --strip-hex      replace hex numbers (0x7f12...) with 0x... so addresses merge\n"
	"      --folded         two-column folded output instead of a graph\n"
	"  -o, --output FILE    write to FILE (atomically); .svg .png .pdf, .pb.gz .pprof\n"
	"                       (pprof: samples = AFTER, before = BEFORE), .speedscope.json\n"
	CLI_OUTPUT_FORMAT_HELP
	RENDER_OPTIONS_HELP
	"  -h, --help           this help\n";

int cmd_diff(int argc, char **argv)
{
	static const struct option base[] = {
		{ "normalize", no_argument, NULL, 'n' },
		{ "strip-hex", no_argument, NULL, 's' },
		{ "folded", no_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "output-format", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[sizeof(base) / sizeof(base[0]) + RENDER_NOPTIONS + 1];
	struct diff_opts dopts = { 0 };
	struct render_opts ro;
	const char *out_path = NULL;
	bool folded = false;
	enum out_kind out_kind = OUT_AUTO;
	int c, ret = EXIT_USAGE;

	render_options_table(longopts, base, sizeof(base) / sizeof(base[0]));
	render_opts_init(&ro);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":nso:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': dopts.normalize = true; break;
		case 's': dopts.strip_hex = true; break;
		case 'f': folded = true; break;
		case 'o': out_path = optarg; break;
		case 'O':
			if (cli_out_kind_parse("diff", optarg, &out_kind))
				return EXIT_USAGE;
			break;
		case 'h': fputs(diff_help, stdout); return EXIT_OK;
		case ':':
		case '?':
			return cli_option_error("diff", c, argv);
		default: {
			const char *bad = render_option_set(&ro, c, optarg);
			if (bad) {
				cli_err("diff", "%s", bad);
				return EXIT_USAGE;
			}
		}
		}
	}
	if (folded && out_kind != OUT_AUTO && out_kind != OUT_FOLDED)
		return cli_usage_error("diff", "--folded and --output-format name two formats");
	out_kind = cli_out_kind(folded ? OUT_FOLDED : out_kind, out_path, OUT_SVG);
	folded = !cli_out_is_graph(out_kind);	/* folded, pprof, speedscope: the two columns */
	if (cli_out_is_graph(out_kind))
		ro.format = cli_out_render_format(out_kind);
	if (argc - optind != 2)
		return cli_usage_error("diff", "needs two profiles: BEFORE AFTER");

	struct profile *in[2] = { prof_new(), prof_new() }, *d = prof_new();
	if (!in[0] || !in[1] || !d) {
		cli_err("diff", "out of memory");
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		if (collapse_file(in[i], argv[optind + i], FMT_AUTO, NULL)) {
			cli_print_diags("diff", in[i]);
			cli_err("diff", "%s", prof_error(in[i]));
			goto out;
		}
		cli_print_diags("diff", in[i]);
		if (prof_nstacks(in[i]) == 0) {
			cli_err("diff", "%s: no stacks found", argv[optind + i]);
			goto out;
		}
	}
	/* --negate draws the before profile's shape: swap the inputs, and the negated hues
	 * keep red for growth (difffolded.pl's own advice for flamegraph.pl) */
	bool swap = !folded && ro.negate;
	if (diff_build(d, in[swap ? 1 : 0], in[swap ? 0 : 1], &dopts)) {
		cli_err("diff", "out of memory");
		goto out;
	}
	cli_print_diags("diff", d);	/* stacks merged (-s) past the largest count */
	if (folded) {
		struct cli_out_meta meta = { .name = "scorch diff" };
		if (cli_write_profile("diff", d, out_path, out_kind, &meta))
			goto out;
	} else {
		char err[512];
		if (!ro.title)
			ro.title = "Differential Flame Graph";
		if (render_file(d, &ro, out_path, err, sizeof(err))) {
			cli_err("diff", "%s", err);
			goto out;
		}
	}
	ret = EXIT_OK;
out:
	prof_free(in[0]);
	prof_free(in[1]);
	prof_free(d);
	return ret;
}
