/* scorch-truth: a CPU-bound workload with a known profile, for accuracy tests and demos.
 * Each round burns CPU in three leaf functions for 50%, 30% and 20% of its thread CPU time,
 * so alpha, beta and gamma take that share of the samples whatever the machine's speed.
 * Rounds are short (about 1 ms) and of random length, so a sampler's period cannot fall
 * in step with them (a fixed 10 ms round sampled at 100 or 200 Hz would alias).
 * Built with frame pointers so every frame can be walked and named.
 *   scorch-truth [SECONDS]   (default 5; fractions allowed, e.g. 0.05) */
#include <stdlib.h>
#include <time.h>

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static volatile unsigned long sink;

/* burns until `ms` of CPU time has passed; inlined into each leaf, so the leaf is the frame */
static inline __attribute__((always_inline)) void burn(double ms)
{
	double end = cpu_ms() + ms;
	do {
		for (unsigned i = 0; i < 2000; i++)
			sink = sink * 2654435761u + i;
	} while (cpu_ms() < end);
}

static double unit;	/* ms per tenth of a round */

__attribute__((noinline)) void alpha(void) { burn(5 * unit); }
__attribute__((noinline)) void beta(void) { burn(3 * unit); }
__attribute__((noinline)) void gamma_(void) { burn(2 * unit); }

__attribute__((noinline)) static void truth_round(void)
{
	unit = 0.06 + 0.08 * (rand() / (double)RAND_MAX);
	alpha();
	beta();
	gamma_();
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;
	double end = cpu_ms() + seconds * 1e3;
	while (cpu_ms() < end)
		truth_round();
	return 0;
}
