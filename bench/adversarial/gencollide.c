/* Writes N folded stacks `root;NAME 1` whose 8-byte printable names all fall into one bucket
 * of scorch's hash as it was before it was keyed (multiply-xorshift, no secret): each name is
 * the inverse image of a chosen hash whose low 24 bits are zero. With `random` instead, names
 * of the same length and alphabet drawn at random: the baseline.
 *   gencollide N crafted|random > input.folded */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t inv(uint64_t a)	/* inverse of an odd a mod 2^64 (Newton) */
{
	uint64_t x = a;
	for (int i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

static int printable(uint64_t w)
{
	for (int i = 0; i < 8; i++) {
		unsigned char c = (unsigned char)(w >> (8 * i));
		if (c < 0x21 || c > 0x7e || c == ';')
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 40000;
	int crafted = argc > 2 && !strcmp(argv[2], "crafted");
	const uint64_t K1 = 0xff51afd7ed558ccdULL, K3 = 0xd6e8feb86659fd93ULL;
	const uint64_t iK1 = inv(K1), iK3 = inv(K3), C = 0x9e3779b97f4a7c15ULL ^ 8;
	uint64_t rng = 42;
	for (uint64_t v = 1; n > 0; v++) {
		uint64_t w;
		if (crafted) {
			uint64_t x = v << 24;		/* the old hash of the name: low 24 bits 0 */
			x ^= x >> 32;			/* mix64, undone */
			x *= iK3;
			x ^= x >> 32;
			x = x ^ (x >> 29) ^ (x >> 58);	/* h ^= h >> 29, undone */
			x *= iK1;
			w = x ^ C;
		} else {
			w = 0;
			for (int i = 0; i < 8; i++) {
				rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
				w |= (uint64_t)(0x21 + (rng >> 33) % 94) << (8 * i);
			}
		}
		if (!printable(w))
			continue;
		char name[9];
		memcpy(name, &w, 8);
		name[8] = '\0';
		printf("root;%s 1\n", name);
		n--;
	}
	return 0;
}
