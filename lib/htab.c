/* The one hash table (see htab.h). */
#include "htab.h"
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int htab_grow(struct htab *t, size_t n, const void *hashes, size_t stride)
{
	size_t ncap = t->cap ? t->cap : 64;
	while (n * 2 > ncap)
		ncap *= 2;
	uint64_t *ns = calloc(ncap, sizeof(uint64_t));
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t h;
		memcpy(&h, (const char *)hashes + i * stride, sizeof(h));
		size_t j = h & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint64_t)h << 32 | ((uint32_t)i + 1);
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
	uint32_t h;
	memcpy(&h, (const char *)hashes + (size_t)idx * stride, sizeof(h));
	t->slots[j] = (uint64_t)h << 32 | (idx + 1);
	return 0;
}

long htab_find_name(const struct htab *t, const void *entries, size_t stride, const char *name,
		    size_t len, size_t *slot)
{
	uint32_t h = (uint32_t)hash_bytes64(name, len, 0), e;
	size_t j = htab_start(t, h);
	for (; (e = htab_slot(t, j)); j = htab_next(t, j)) {
		const struct htab_name *k =
			(const void *)((const char *)entries + (size_t)(e - 1) * stride);
		if (htab_tag(t, j) == h && k->len == len && !memcmp(k->name, name, len))
			return (long)e - 1;
	}
	*slot = j;
	return -1;
}

int htab_name_init(struct htab_name *k, const char *name, size_t len)
{
	/* len bytes, NULs included: strndup would stop at one and a compare read past the copy
	 * (found by fuzz_bpftrace) */
	k->name = malloc(len + 1);
	if (!k->name)
		return -ENOMEM;
	memcpy(k->name, name, len);
	k->name[len] = '\0';
	k->len = len;
	k->hash = (uint32_t)hash_bytes64(name, len, 0);
	return 0;
}

void htab_clear(struct htab *t)
{
	if (t->cap)
		memset(t->slots, 0, t->cap * sizeof(*t->slots));
}

void htab_free(struct htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = 0;
}
