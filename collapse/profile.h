/* The profile model at the centre of scorch: interned frame names, stacks as sequences of frame
 * ids (root first), and their counts. Every converter fills a struct profile; render, diff and
 * check read one. Nothing here prints: errors come back as negative errno values, and bad input
 * lines are kept as diagnostics for the CLI to print. */
#ifndef SCORCH_PROFILE_H
#define SCORCH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One unique stack. count is the exact integer total while the profile has no fractions;
 * fcount always holds the total as a double (flamegraph.pl accepts `a;b 1.5`). In a
 * differential profile (two count columns, difffolded format) `before` is the first column
 * and count/fcount the second, which sets the width as in flamegraph.pl. */
struct prof_stack {
	uint32_t frames_off;	/* index into the profile's frame-id pool */
	uint32_t depth;
	uint64_t count;
	double fcount;
	double before;
};

#define PROF_DIAG_KEEP 5

struct prof_diag_entry {
	char *where;	/* FILE:LINE */
	char *msg;
};

struct profile;

struct profile *prof_new(void);
void prof_free(struct profile *p);

/* Interns a frame name (need not be NUL-terminated) and returns its id, or a negative errno.
 * Every name is sanitized first, whatever its source: ';' becomes ':', invalid UTF-8, control
 * characters (C0, DEL, C1), line separators and bidi controls become U+FFFD. */
int64_t prof_intern(struct profile *p, const char *name, size_t len);
/* n names at once (a line's frames): ids[i] receives the id of names[i], as n prof_intern
 * calls would, faster on a big profile. Returns 0 or a negative errno. */
struct prof_name {
	const char *s;
	size_t len;
};
int prof_intern_many(struct profile *p, const struct prof_name *names, size_t n, uint32_t *ids);
const char *prof_frame_name(const struct profile *p, uint32_t id);
size_t prof_frame_len(const struct profile *p, uint32_t id);
size_t prof_nframes(const struct profile *p);

/* The binaries frames come from, where a recording knows them (pprof's mappings): a module
 * is interned by its path (sanitized like a name), with its build id (hex) if known; a frame
 * takes the first module it is seen in (a name in two binaries keeps the first). */
int64_t prof_module(struct profile *p, const char *path, size_t len, const char *build_id);
/* The module of path, or -ENOENT; a build id set once it is known (the first one stays). */
int64_t prof_module_find(struct profile *p, const char *path, size_t len);
int prof_module_set_build_id(struct profile *p, uint32_t module, const char *build_id);
void prof_frame_set_module(struct profile *p, uint32_t frame, uint32_t module);
bool prof_frame_module(const struct profile *p, uint32_t frame, uint32_t *module);
const char *prof_module_path(const struct profile *p, uint32_t module);
const char *prof_module_build_id(const struct profile *p, uint32_t module);
size_t prof_nmodules(const struct profile *p);

/* Adds count samples to the stack frames[0..depth) (root first). depth 0 is allowed: an empty
 * stack, which folded output cannot express and which writers skip. A sum past UINT64_MAX is
 * kept at UINT64_MAX and returns -EOVERFLOW (the stack is added). */
int prof_add(struct profile *p, const uint32_t *frames, size_t depth, uint64_t count);
/* The same with a fractional count; marks the profile fractional. */
int prof_add_f(struct profile *p, const uint32_t *frames, size_t depth, double count);
/* A differential entry: before is the first column, after the second; marks it differential. */
int prof_add_diff(struct profile *p, const uint32_t *frames, size_t depth, double before,
		  double after);

/* before = floor(before * num / den) for every stack (difffolded.pl -n's normalization). */
void prof_scale_before(struct profile *p, double num, double den);

size_t prof_nstacks(const struct profile *p);
const struct prof_stack *prof_stack(const struct profile *p, size_t i);
const uint32_t *prof_stack_frames(const struct profile *p, const struct prof_stack *s);
bool prof_fractional(const struct profile *p);
bool prof_differential(const struct profile *p);
/* Sum of all stacks' counts (second column for a differential profile), and of the first. */
double prof_total(const struct profile *p);
double prof_total_before(const struct profile *p);
uint64_t prof_total_int(const struct profile *p);

/* Keeps the input order of every prof_add* call (a flame chart lays stacks out in time order,
 * unmerged). Off by default: it grows with the input. Call before adding stacks. */
void prof_keep_order(struct profile *p);
bool prof_keeps_order(const struct profile *p);
struct prof_seq {
	uint32_t stack;
	double count;		/* the width column (after, for differential input) */
	double before;
};
/* The recorded sequence, or NULL with *n = 0 when order was not kept. */
const struct prof_seq *prof_sequence(const struct profile *p, size_t *n);

/* The frames some stack uses, numbered 1..k in order of first use: ids[frame] (0: unused),
 * order[n - 1] the frame numbered n (both sized prof_nframes). Returns k. For writers that
 * list frames once (pprof, speedscope). */
uint32_t prof_used_frames(const struct profile *p, uint32_t *ids, uint32_t *order);
/* Forgets every stack and count, keeping the interned frames (their ids stay valid): the
 * next interval of a continuous recording starts empty. */
void prof_reset_counts(struct profile *p);
/* Adds every stack of src into dst with consecutive repeats of a frame folded into one
 * (a;b;b;b;c -> a;b;c), as stackcollapse-recursive.pl does (a leading empty frame goes too);
 * a kept order stays (dst must keep order too). */
int prof_fold_recursion(struct profile *dst, const struct profile *src);
/* Adds every stack of src into dst (frames are re-interned). */
int prof_merge(struct profile *dst, const struct profile *src);

/* Stack indices in the byte order of their folded text (`a;b;c`), the order in which
 * stackcollapse-*.pl print and flamegraph.pl lays out. Caller frees. NULL on ENOMEM. */
uint32_t *prof_sorted(const struct profile *p);
/* Compares two stacks as their folded text would compare with strcmp. */
int prof_stack_cmp(const struct profile *p, const struct prof_stack *a,
		   const struct prof_stack *b);

/* Writes `a;b;c COUNT` lines sorted by stack, skipping empty stacks; differential profiles get
 * both columns. Counts are integers unless the profile is fractional. Returns 0 or -errno. */
int fold_write(const struct profile *p, FILE *out);
/* Formats a count as folded output does: integers without a point, fractions with up to
 * 15 significant digits. Returns the length written into buf (size >= 32). */
size_t fold_format_count(double v, char *buf);

/* Diagnostics: bad input lines are kept (the first PROF_DIAG_KEEP) and counted. */
void prof_diag_add(struct profile *p, const char *file, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The diagnostic for a stack whose count reached UINT64_MAX (prof_add's -EOVERFLOW): the
 * stack was kept at the largest count. Returns 0, for err = prof_diag_overflow(...). */
int prof_diag_overflow(struct profile *p, const char *file, size_t line);
size_t prof_diag_count(const struct profile *p);
/* Adds src's diagnostics and notes after dst's (a profile read in parts). */
void prof_diag_merge(struct profile *dst, const struct profile *src);
size_t prof_diag_kept(const struct profile *p);
const struct prof_diag_entry *prof_diag_get(const struct profile *p, size_t i);
/* Notes about input that was skipped on purpose (e.g. a bpftrace map that holds no stacks);
 * kept like diagnostics but not counted as bad lines. */
void prof_note_add(struct profile *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t prof_note_count(const struct profile *p);
const char *prof_note_get(const struct profile *p, size_t i);

/* A fatal error's message (e.g. "trace.txt: no stacks found"), set by a stage that returns
 * an error, read by the CLI. */
void prof_set_error(struct profile *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *prof_error(const struct profile *p);

#endif
