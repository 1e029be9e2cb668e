/* The one growable-array step of scorch: make room for need elements, doubling. */
#ifndef SCORCH_LIB_VEC_H
#define SCORCH_LIB_VEC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Grows *ptr (an array of elem-byte elements with room for *cap) to hold at least need,
 * doubling from min_cap. Returns 0 or -ENOMEM (nothing changed, also on size overflow). */
static inline int vec_grow(void **ptr, size_t *cap, size_t need, size_t elem, size_t min_cap)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : min_cap;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return -ENOMEM;
	void *np = realloc(*ptr, ncap * elem);
	if (!np)
		return -ENOMEM;
	*ptr = np;
	*cap = ncap;
	return 0;
}

#endif
