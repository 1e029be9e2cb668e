/* scorch-truth: a CPU-bound workload with a known profile, for accuracy tests and demos.
 * Each round runs the same loop in three leaf functions for 5, 3 and 2 units of iterations,
 * so alpha, beta and gamma_ take 50%, 30% and 20% of its CPU whatever the machine's speed
 * (the same instructions, no system calls inside). Rounds last about 0.2 ms, with a
 * random length, so a sampler's period cannot fall in step with them. Built with frame
 * pointers so every frame can be walked and named.
 *   scorch-truth [SECONDS]   (CPU seconds, default 5; fractions allowed, e.g. 0.05) */
#include <stdlib.h>
#include <time.h>

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static volatile unsigned long sink;

/* inlined into each leaf, so the leaf is the sampled frame */
static inline __attribute__((always_inline)) void spin(unsigned long n)
{
	unsigned long x = sink;
	for (unsigned long i = 0; i < n; i++)
		x = x * 2654435761u + i;
	sink = x;
}

static unsigned long unit;	/* iterations of one tenth of a round */

/* An empty call makes each leaf a non-leaf function, so the compiler gives it a frame: a
 * frameless leaf would hide its caller (truth_round) from a frame-pointer stack walk. */
__attribute__((noinline)) void frame_anchor(void) { __asm__ volatile("" ::: "memory"); }

__attribute__((noinline)) void alpha(void) { frame_anchor(); spin(5 * unit); }
__attribute__((noinline)) void beta(void) { frame_anchor(); spin(3 * unit); }
__attribute__((noinline)) void gamma_(void) { frame_anchor(); spin(2 * unit); }

__attribute__((noinline)) static void truth_round(unsigned long per_ms)
{
	unit = (unsigned long)(per_ms / 50 * (0.6 + 0.8 * (rand() / (double)RAND_MAX))) + 1;
	alpha();
	beta();
	gamma_();
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;
	double start = cpu_ms(), end = start + seconds * 1e3;
	/* calibrate: iterations per millisecond of CPU */
	spin(200000);
	double t = cpu_ms() - start;
	unsigned long per_ms = (unsigned long)(200000 / (t > 0.001 ? t : 0.001));
	while (cpu_ms() < end)
		truth_round(per_ms);
	return 0;
}
