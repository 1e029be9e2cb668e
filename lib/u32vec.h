/* A growable array of 32-bit ids (frame ids of a stack being built), shared by
 * the converters. */
#ifndef SCORCH_U32VEC_H
#define SCORCH_U32VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct u32vec {
	uint32_t *v;
	size_t len, cap;
};

static inline int u32vec_push(struct u32vec *a, uint32_t x)
{
	if (a->len == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 256;
		uint32_t *nv = realloc(a->v, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		a->v = nv;
		a->cap = ncap;
	}
	a->v[a->len++] = x;
	return 0;
}

#endif
