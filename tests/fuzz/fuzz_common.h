/* Shared by the fuzz targets: the first input byte picks options, the rest is the input. */
#ifndef SCORCH_FUZZ_COMMON_H
#define SCORCH_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>

#include "collapse.h"

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
#endif
