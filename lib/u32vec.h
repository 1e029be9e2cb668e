/* A growable array of 32-bit ids (frame ids of a stack being built), shared by
 * the converters. */
#ifndef SCORCH_U32VEC_H
#define SCORCH_U32VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "vec.h"

struct u32vec {
	uint32_t *v;
	size_t len, cap;
};

static inline int u32vec_push(struct u32vec *a, uint32_t x)
{
	if (vec_grow((void **)&a->v, &a->cap, a->len + 1, sizeof(*a->v), 256))
		return -ENOMEM;
	a->v[a->len++] = x;
	return 0;
}

#endif
