/* The one hash table (see htab.h). */
#include "htab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int htab_grow(struct htab *t, size_t n, const void *hashes, size_t stride)
{
	size_t ncap = t->cap ? t->cap : 64;
	while (n * 2 > ncap)
		ncap *= 2;
	uint32_t *ns = calloc(ncap, sizeof(uint32_t));
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t h;
		memcpy(&h, (const char *)hashes + i * stride, sizeof(h));
		size_t j = h & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

int htab_put(struct htab *t, size_t j, uint32_t idx, size_t n, const void *hashes, size_t stride)
{
	if (!t->cap || n * 2 > t->cap)	/* re-placing all n entries puts this one too */
		return htab_grow(t, n, hashes, stride);
	t->slots[j] = idx + 1;
	return 0;
}

void htab_free(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
}
