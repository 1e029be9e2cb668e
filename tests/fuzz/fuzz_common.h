/* Shared by the fuzz targets: the first input byte picks options, the rest is the input, and
 * the converters' targets parse it into a profile and write it back as folded text. */
#ifndef SCORCH_FUZZ_COMMON_H
#define SCORCH_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collapse.h"
#include "profile.h"

static inline void fuzz_opts(const uint8_t **data, size_t *size, struct collapse_opts *o)
{
	uint8_t b = *size ? (*data)[0] : 0;
	if (*size) {
		(*data)++;
		(*size)--;
	}
	o->pid = b & 1;
	o->tid = b & 2;
	o->kernel = b & 4;
	o->jit = b & 8;
	o->addrs = b & 16;
}

typedef int (*fuzz_parser)(struct profile *p, struct line_reader *lr, const struct collapse_opts *o);

/* parses data with parse, then writes the profile as folded text to /dev/null */
static inline void fuzz_parse_and_fold(const uint8_t *data, size_t size, fuzz_parser parse,
				       const struct collapse_opts *o)
{
	struct profile *p = prof_new();
	struct line_reader *lr;
	if (p && lr_open_mem(&lr, (const char *)data, size, "fuzz") == 0) {
		if (parse(p, lr, o) == 0) {
			FILE *f = fopen("/dev/null", "w");
			fold_write(p, f);
			fclose(f);
		}
		lr_close(lr);
	}
	prof_free(p);
}
#endif
