/* `scorch check BASELINE CURRENT`: a CI performance gate. Compares per-function shares of two
 * recorded profiles, ignores sampling noise (collapse/diff.c documents the rule), prints a
 * markdown summary (or JSON), and exits 1 on a regression. */
#include "cli.h"
#include "diff.h"
#include "render.h"
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char check_help[] =
	"usage: scorch check BASELINE CURRENT [options]\n"
	"\n"
	"CI gate: compares each function's inclusive share (samples whose stack holds it) and\n"
	"self share (samples where it is the leaf) between two profiles. A change counts when it\n"
	"is at least --threshold percentage points AND significant in a two-proportion z-test\n"
	"at a family-wise false alarm rate of --alpha (Bonferroni over all functions), so\n"
	"sampling noise between two runs of the same workload does not fire it.\n"
	"Exit 0: no regression; 1: a regression; 2: usage error or bad input.\n"
	"\n"
	"      --threshold PCT  smallest change that counts, in percentage points (2)\n"
	"      --alpha P        family-wise false alarm rate (0.01)\n"
	"      --min-samples N  refuse to judge profiles with fewer samples (1000)\n"
	"      --top N          rows per table (10)\n"
	"      --json           machine-readable output instead of markdown\n"
	"      --svg FILE       also write the differential flame graph (current's shape)\n"
	"  -o, --output FILE    write the summary to FILE instead of standard output\n"
	"  -h, --help           this help\n";

enum { C_THRESHOLD = 256, C_ALPHA, C_MIN_SAMPLES, C_TOP, C_JSON, C_SVG };

/* A function name as a markdown code span, read as it is in a plain CI log too
 * (`gamma_mid`, not gamma\_mid): fenced by one backtick more than its longest run of them,
 * padded when it starts or ends with one; '|' stays escaped (a table cell ends at it). */
static void md_code(FILE *f, const char *s)
{
	size_t run = 0, longest = 0, n = strlen(s);
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	bool pad = n && (s[0] == '`' || s[n - 1] == '`');
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	if (pad)
		fputc(' ', f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

static void json_str(FILE *f, const char *s)
{
	json_string(f, s, strlen(s), false);
}

static void md_table(FILE *f, const struct profile *d, const struct check_result *r, bool worse,
		     size_t top)
{
	size_t rows = 0;
	for (size_t i = 0; i < r->nchanges && rows < top; i++) {
		const struct diff_change *c = &r->changes[i];
		if (!c->significant || (c->change_pts > 0) != worse)
			continue;
		if (!rows++)
			fputs("| function | share | baseline % | current % | change (points) | z |\n"
			      "|---|---|---:|---:|---:|---:|\n", f);
		fputs("| ", f);
		md_code(f, prof_frame_name(d, c->frame));
		fprintf(f, " | %s | %.2f | %.2f | %+.2f | %+.1f |\n",
			c->kind == DIFF_SELF ? "self" : "inclusive", c->base_pct, c->cur_pct,
			c->change_pts, c->z);
	}
	if (!rows)
		fputs("None.\n", f);
}

static void json_list(FILE *f, const struct profile *d, const struct check_result *r, bool worse)
{
	bool first = true;
	fputc('[', f);
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct diff_change *c = &r->changes[i];
		if (!c->significant || (c->change_pts > 0) != worse)
			continue;
		fputs(first ? "\n    {" : ",\n    {", f);
		first = false;
		fputs("\"function\": ", f);
		json_str(f, prof_frame_name(d, c->frame));
		fprintf(f, ", \"share\": \"%s\", \"baseline_pct\": %.4f, \"current_pct\": %.4f, "
			   "\"change_points\": %.4f, \"z\": %.3f}",
			c->kind == DIFF_SELF ? "self" : "inclusive", c->base_pct, c->cur_pct,
			c->change_pts, c->z);
	}
	fputs(first ? "]" : "\n  ]", f);
}

static bool parse_num(const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, C_THRESHOLD },
		{ "alpha", required_argument, NULL, C_ALPHA },
		{ "min-samples", required_argument, NULL, C_MIN_SAMPLES },
		{ "top", required_argument, NULL, C_TOP },
		{ "json", no_argument, NULL, C_JSON },
		{ "svg", required_argument, NULL, C_SVG },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct check_opts co = { .threshold_pts = 2, .alpha = 0.01, .min_samples = 1000 };
	const char *svg_path = NULL, *out_path = NULL;
	bool json = false;
	double top = 10;
	int c, ret = EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case C_THRESHOLD:
			if (!parse_num(optarg, 0, 100, &co.threshold_pts))
				goto bad_value;
			break;
		case C_ALPHA:
			if (!parse_num(optarg, 1e-12, 0.5, &co.alpha))
				goto bad_value;
			break;
		case C_MIN_SAMPLES:
			if (!parse_num(optarg, 0, 1e15, &co.min_samples))
				goto bad_value;
			break;
		case C_TOP:
			if (!parse_num(optarg, 1, 1e6, &top))
				goto bad_value;
			break;
		case C_JSON: json = true; break;
		case C_SVG: svg_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'h': fputs(check_help, stdout); return EXIT_OK;
		case ':':
		default:
			return cli_option_error("check", c, argv);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("check", "needs two profiles: BASELINE CURRENT");

	const char *files[2] = { argv[optind], argv[optind + 1] };
	struct profile *in[2] = { prof_new(), prof_new() }, *d = prof_new();
	struct check_result r = { 0 };
	struct atomic_out ao = { 0 };
	if (!in[0] || !in[1] || !d) {
		cli_err("check", "out of memory");
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		if (collapse_file(in[i], files[i], FMT_AUTO, NULL)) {
			cli_print_diags("check", in[i]);
			cli_err("check", "%s", prof_error(in[i]));
			goto out;
		}
		cli_print_diags("check", in[i]);
		if (prof_nstacks(in[i]) == 0) {
			cli_err("check", "%s: no stacks found", files[i]);
			goto out;
		}
	}
	struct diff_opts dopts = { 0 };
	if (diff_build(d, in[0], in[1], &dopts)) {
		cli_err("check", "out of memory");
		goto out;
	}
	int err = check_compare(d, &co, &r);
	if (err == -EDOM) {
		cli_err("check", "too few samples to judge: baseline %.0f, current %.0f "
			"(--min-samples %.0f)", prof_total(in[0]), prof_total(in[1]), co.min_samples);
		goto out;
	} else if (err) {
		cli_err("check", "%s", strerror(-err));
		goto out;
	}
	if (svg_path) {
		struct render_opts ro;
		char rerr[512];
		render_opts_init(&ro);
		ro.title = "scorch check: current vs baseline";
		if (render_file(d, &ro, svg_path, rerr, sizeof(rerr))) {
			cli_err("check", "%s", rerr);
			goto out;
		}
	}
	if ((err = aout_open(&ao, out_path))) {
		cli_err("check", "%s: %s", out_path, strerror(-err));
		goto out;
	}
	FILE *f = ao.fp;
	const char *verdict = r.nregressions ? "regression" : "ok";
	if (json) {
		fprintf(f, "{\n  \"verdict\": \"%s\",\n  \"baseline\": {\"file\": ", verdict);
		json_str(f, files[0]);
		fprintf(f, ", \"samples\": %.0f},\n  \"current\": {\"file\": ", r.base_total);
		json_str(f, files[1]);
		fprintf(f, ", \"samples\": %.0f},\n  \"threshold_points\": %g,\n  \"alpha\": %g,\n"
			   "  \"functions\": %zu,\n  \"z_critical\": %.3f,\n  \"regressions\": ",
			r.cur_total, co.threshold_pts, co.alpha, r.functions, r.z_critical);
		json_list(f, d, &r, true);
		fputs(",\n  \"improvements\": ", f);
		json_list(f, d, &r, false);
		fputs("\n}\n", f);
	} else {
		fprintf(f, "## scorch check: %s\n\n", r.nregressions ? "REGRESSION" : "OK");
		fprintf(f, "Baseline `%s`: %.0f samples. Current `%s`: %.0f samples. "
			   "%zu functions compared.\n", files[0], r.base_total, files[1], r.cur_total,
			r.functions);
		fprintf(f, "A change counts when it is >= %g percentage points and |z| >= %.2f "
			   "(two-proportion test, false alarm rate %g over all functions).\n\n",
			co.threshold_pts, r.z_critical, co.alpha);
		fprintf(f, "### Regressions (%zu)\n\n", r.nregressions);
		md_table(f, d, &r, true, (size_t)top);
		fprintf(f, "\n### Improvements (%zu)\n\n", r.nimprovements);
		md_table(f, d, &r, false, (size_t)top);
	}
	if ((err = aout_commit(&ao))) {
		cli_err("check", "%s: %s", out_path ? out_path : "<stdout>", strerror(-err));
		goto out;
	}
	ret = r.nregressions ? EXIT_CHECK_FAILED : EXIT_OK;
out:
	if (ao.fp)
		aout_abort(&ao);
	check_result_free(&r);
	prof_free(in[0]);
	prof_free(in[1]);
	prof_free(d);
	return ret;
bad_value:
	return cli_bad_value("check", c, optarg, longopts);
}
