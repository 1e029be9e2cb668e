/* Shared helpers of the CLI: the subcommand entry points, one error printer, and the
 * printing of a profile's diagnostics. Only cli/ prints; the stages return errors. */
#ifndef SCORCH_CLI_H
#define SCORCH_CLI_H

#include "collapse.h"
#include "render.h"

#include <stdint.h>

/* Exit codes: 0 success, 1 a check that ran and failed, 2 usage, bad input or privilege. */
enum { EXIT_OK = 0, EXIT_CHECK_FAILED = 1, EXIT_USAGE = 2 };

int cmd_collapse(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_runqlen(int argc, char **argv);
/* The run-queue lines of a recording's summary: per CPU busy %, queue mean and p99, and the
 * verdict (layout: the cfs_rq field read, enum smp_runq_layout). */
struct smp_runq;
void runq_print_summary(const char *cmd, const struct smp_runq *r, size_t n, int layout);
/* The sampling options record and runqlen share: -F HZ, -d SEC, -C CPU,... Returns 1 when c
 * is one of them (set in so or *duration), -1 for a bad value, 0 for another option. */
struct smp_opts;
int cli_sampling_option(int c, const char *arg, struct smp_opts *so, double *duration);
/* record and profile share one implementation; profile always renders. */
int record_main(const char *cmd, int argc, char **argv, bool always_render);

/* A whole decimal number in [0, max] (no sign, no trailing text). Returns 0 or -EINVAL. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* The sampling options record and runqlen share: -F HZ (1 to 1,000,000) and -d SEC (> 0).
 * Returns 0 or -EINVAL. */
int cli_parse_hz(const char *s, unsigned *hz);
int cli_parse_seconds(const char *s, double *seconds);

/* Prints `scorch: CMD: message` on stderr. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the profile's bad-line diagnostics (the first few, then a count) and notes. */
void cli_print_diags(const char *cmd, const struct profile *p);
/* Writes p as folded text to path (stdout for NULL or "-"), atomically; prints the error.
 * Returns 0 or -1. */
int cli_write_folded(const char *cmd, const struct profile *p, const char *path);
/* What a command writes: folded text, pprof, speedscope, or a graph. */
enum out_kind { OUT_AUTO = 0, OUT_FOLDED, OUT_PPROF, OUT_SPEEDSCOPE, OUT_SVG, OUT_PNG, OUT_PDF };
/* --output-format NAME; prints the error and returns -1 when unknown. */
int cli_out_kind_parse(const char *cmd, const char *name, enum out_kind *k);
/* The explicit kind, else the one path's extension names (.pb.gz .pprof .pb,
 * .speedscope.json, .svg .png .pdf), else dflt. */
enum out_kind cli_out_kind(enum out_kind explicit_kind, const char *path, enum out_kind dflt);
static inline bool cli_out_is_graph(enum out_kind k)
{
	return k == OUT_SVG || k == OUT_PNG || k == OUT_PDF;
}
enum render_format cli_out_render_format(enum out_kind k);
/* What a recording knows beyond its stacks (zero: unknown). */
struct cli_out_meta {
	double hz;
	int64_t time_nanos, duration_nanos;
	const char *name;	/* speedscope's profile name */
	bool per_process;	/* speedscope: one profile per process (root frame) */
	bool off_cpu_us;	/* counts are microseconds off the CPU (--off-cpu) */
};
/* Writes p as folded text, pprof or speedscope (not a graph) to path, atomically; prints
 * the error. Returns 0 or -1. */
int cli_write_profile(const char *cmd, const struct profile *p, const char *path,
		      enum out_kind k, const struct cli_out_meta *m);
#define CLI_OUTPUT_FORMAT_HELP \
	"      --output-format F  folded, pprof, speedscope, svg, png or pdf (default: by the\n" \
	"                       extension of -o: .pb.gz .pprof, .speedscope.json, .svg .png .pdf)\n"
/* Reports an unknown option or missing argument in getopt's style, pointing to --help. */
int cli_usage_error(const char *cmd, const char *what);
/* The same for getopt_long's ':' (missing value) and '?' (unknown option) results, after
 * the option at argv[optind - 1]. Returns EXIT_USAGE. */
int cli_option_error(const char *cmd, int getopt_result, char **argv);
/* "invalid value 'V' for -p/--pid": names the option c of longopts, not the value */
struct option;
int cli_bad_value(const char *cmd, int c, const char *value, const struct option *longopts);
/* Prints `scorch help CMD` text for cmd (from the command table). Returns 0, or -1 if unknown. */
int cli_help(const char *cmd, FILE *out);

#endif
