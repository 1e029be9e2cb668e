/* The hash key: drawn once per run (see hash.h). */
#include "hash.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t hash_key[2] = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL };

__attribute__((constructor)) static void hash_key_init(void)
{
	uint64_t k[2];
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		/* no entropy yet (early boot): still different per run and per process */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
		k[1] = (uint64_t)ts.tv_sec * 0xc2b2ae3d27d4eb4fULL ^ (uintptr_t)&ts;
	}
	/* odd multipliers: a zero word must never zero the product */
	hash_key[0] ^= k[0] | 1;
	hash_key[1] ^= k[1] | 1;
}
