/* The one hash of scorch: keyed per run, so input crafted to collide (frame names, perf
 * lines, addresses in a copied stack) cannot make a table quadratic. A wyhash-style 64x64->128
 * multiply-fold over 16-byte blocks, its key drawn from getrandom at start-up (the approach of
 * Go's map hash). Every table hashes through these. */
#ifndef SCORCH_LIB_HASH_H
#define SCORCH_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern uint64_t hash_key[2];	/* set once at start-up (hash.c) */

static inline uint64_t hash_mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* seed lets a caller fold extra state into the hash (e.g. a flag) */
static inline uint64_t hash_bytes64(const char *s, size_t len, uint64_t seed)
{
	uint64_t h = hash_key[0] ^ seed ^ (len * 0x9e3779b97f4a7c15ULL);
	size_t n = len;
	while (n > 16) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		h = hash_mum(a ^ hash_key[1], b ^ h);
		s += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {	/* 8..16 bytes: the first and the last eight (they may overlap) */
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = x;
		b = y;
	} else if (n) {
		a = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (unsigned char)s[n - 1];
	}
	h = hash_mum(a ^ hash_key[1], b ^ h);
	return hash_mum(h ^ hash_key[0], len ^ hash_key[1]);
}

/* an array of 32-bit ids (a stack of frame ids) */
static inline uint64_t hash_u32s(const uint32_t *ids, size_t n)
{
	uint64_t h = hash_key[0] ^ (n * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint64_t a = (uint64_t)ids[i] | (uint64_t)ids[i + 1] << 32;
		uint64_t b = (uint64_t)ids[i + 2] | (uint64_t)ids[i + 3] << 32;
		h = hash_mum(a ^ hash_key[1], b ^ h);
	}
	uint64_t a = 0, b = 0;
	if (i < n)
		a = ids[i++];
	if (i < n)
		a |= (uint64_t)ids[i++] << 32;
	if (i < n)
		b = ids[i];
	h = hash_mum(a ^ hash_key[1], b ^ h);
	return hash_mum(h ^ hash_key[0], n ^ hash_key[1]);
}

/* one 64-bit key (an address) */
static inline uint64_t hash_u64(uint64_t x)
{
	return hash_mum(x ^ hash_key[1], hash_key[0] ^ 0x9e3779b97f4a7c15ULL);
}

#endif
