/* The one binary search of scorch. */
#ifndef SCORCH_LIB_SEARCH_H
#define SCORCH_LIB_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* The partition point of [0, n): the first index i for which before(ctx, i) is false, given
 * that it is true for a prefix of the indices and false for the rest (a sorted array and
 * "element i sorts before the key"). n when it is true for all. O(log n) calls of before. */
static inline size_t partition_point(size_t n, bool (*before)(const void *ctx, size_t i),
				     const void *ctx)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (before(ctx, mid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
