/* Block line reader shared by every input parser: reads a file (or stdin, or a
 * gzip stream, detected by its magic bytes) in large blocks and hands out lines in place, so
 * parsers never allocate per line. Also the atomic output file used by every writer. */
#ifndef SCORCH_LINEIO_H
#define SCORCH_LINEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct line_reader;

/* Opens path for reading; "-" or NULL reads standard input. Returns 0 or -errno. */
int lr_open(struct line_reader **out, const char *path);
/* Reads lines from an in-memory buffer (not copied; must outlive the reader). */
int lr_open_mem(struct line_reader **out, const char *data, size_t len, const char *name);
void lr_close(struct line_reader *lr);

/* Next line without its '\n' (a trailing '\r' is kept: parsers decide). The pointer is valid
 * until the next call. Returns 1 for a line, 0 at end of input, or -errno. */
int lr_next(struct line_reader *lr, const char **line, size_t *len);
/* Looks at the start of the input without consuming it (up to max bytes, at least the first
 * block). Returns the number of bytes available at *data, or -errno. */
long lr_peek(struct line_reader *lr, const char **data, size_t max);
/* The whole rest of the input, in memory (binary formats: pprof). Valid until close.
 * Returns 0 or -errno. */
int lr_slurp(struct line_reader *lr, const char **data, size_t *len);
/* 1-based number of the line last returned by lr_next, and the name given at open. */
size_t lr_lineno(const struct line_reader *lr);
/* Numbers the next line base + 1 (a reader of a part of a file). */
void lr_set_line_base(struct line_reader *lr, size_t base);
/* A reader of data[0..len), a part of whole's input (lr_mapped): it gives the pages it has
 * read back as a reader of the whole file does. whole must outlive it. */
int lr_open_part(struct line_reader **out, const struct line_reader *whole, const char *data,
		 size_t len);
/* The whole input when it is a file mapped in memory (not gzip, not a pipe), else NULL. */
const char *lr_mapped(const struct line_reader *lr, size_t *len);
const char *lr_name(const struct line_reader *lr);

/* Atomic output: writes go to a temporary file beside path, renamed over it on commit, so a
 * failure never leaves half a file. A NULL path or "-" writes standard output directly, and
 * so does a path that exists and is not a regular file (/dev/null, a FIFO). */
struct atomic_out {
	FILE *fp;
	char *path;
	char *tmp_path;
	bool direct;	/* not a regular file (/dev/null, a FIFO): written in place */
};
int aout_open(struct atomic_out *o, const char *path);
/* Flushes, checks for write errors, fsyncs and renames. Returns 0 or -errno. */
int aout_commit(struct atomic_out *o);
/* Removes the temporary file. Safe after commit and on an unopened struct zeroed by the caller. */
void aout_abort(struct atomic_out *o);
/* New output files are created 0600 rather than 0666 & ~umask (a root recording's, as perf
 * does); files that exist keep their mode. */
void aout_private_new_files(bool on);

#endif
