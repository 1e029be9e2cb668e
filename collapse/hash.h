/* The byte hash of collapse/: multiply-xorshift over 8-byte words. Frame names and perf
 * frame lines are short and hashed once per input line, so this sits on every converter's
 * hot path. Private to collapse/. */
#ifndef SCORCH_HASH_H
#define SCORCH_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

/* seed lets a caller fold extra state into the hash (e.g. a flag) */
static inline uint64_t hash_bytes64(const char *s, size_t len, uint64_t seed)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len ^ (seed << 48);
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	return hash_mix64(h);
}

#endif
