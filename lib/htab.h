/* The one hash table of scorch: an open-addressing index whose slots hold an entry's index + 1
 * (0: empty). Callers keep their entries in their own arrays, with each entry's 32-bit hash
 * (from hash.h: keyed, so probes stay short on crafted input), and compare keys themselves:
 *
 *	for (size_t j = htab_start(t, h); (slot = t->slots[j]); j = htab_next(t, j))
 *		if (hashes[slot - 1] == h && same_key(slot - 1)) return slot - 1;
 *	htab_put(t, j, new_index, ...);
 *
 * Linear probing, at most half full. Each slot keeps the entry's hash too (htab_tag): a probe
 * rejects a different key without reading the caller's entry (on a big table, that read is
 * the cache miss that costs). */
#ifndef SCORCH_LIB_HTAB_H
#define SCORCH_LIB_HTAB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct htab {
	uint64_t *slots;	/* hash << 32 | (index + 1); 0: empty */
	size_t cap;	/* a power of two; 0 until the first htab_put */
};

static inline size_t htab_start(const struct htab *t, uint32_t h)
{
	return t->cap ? h & (t->cap - 1) : 0;
}

static inline size_t htab_next(const struct htab *t, size_t j)
{
	return (j + 1) & (t->cap - 1);
}

/* the slot at j, 0 when empty (or when the table has no slots yet) */
static inline uint32_t htab_slot(const struct htab *t, size_t j)
{
	return t->cap ? (uint32_t)t->slots[j] : 0;
}

/* the hash of the entry at j (valid when htab_slot(t, j) is not 0) */
static inline uint32_t htab_tag(const struct htab *t, size_t j)
{
	return (uint32_t)(t->slots[j] >> 32);
}

/* Puts entry idx in the empty slot j where a probe for its hash ended. n is the number of
 * entries after this one is added; when that makes the table more than half full it grows,
 * re-placing every entry by its hash, read at (const char *)hashes + i * stride (uint32_t).
 * Returns 0 or -ENOMEM (the entry is then not indexed). */
int htab_put(struct htab *t, size_t j, uint32_t idx, size_t n, const void *hashes, size_t stride);

void htab_free(struct htab *t);
/* Empties the table, keeping its size. */
void htab_clear(struct htab *t);

/* Entries keyed by a name (bpftrace maps, --cp colours, --nameattr lines) start with this. */
struct htab_name {
	char *name;	/* a NUL-terminated copy of the len bytes (which may hold NULs) */
	size_t len;
	uint32_t hash;
};

/* The index of the entry named name[0..len) among entries (each stride bytes, starting with
 * a struct htab_name), or -1 with *slot where htab_put puts it. */
long htab_find_name(const struct htab *t, const void *entries, size_t stride, const char *name,
		    size_t len, size_t *slot);
/* Fills k with a copy of name[0..len) and its hash. Returns 0 or -ENOMEM. */
int htab_name_init(struct htab_name *k, const char *name, size_t len);

#endif
