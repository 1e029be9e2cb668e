/* A fixed amount of CPU work (not a fixed time) for the sampler's overhead benchmark: its
 * wall time grows with whatever the samplers steal.  work [MILLION_ITERATIONS] */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned long sink;

__attribute__((noinline)) static unsigned long step(unsigned long x)
{
	return x * 6364136223846793005UL + 1442695040888963407UL;
}

int main(int argc, char **argv)
{
	unsigned long n = (argc > 1 ? strtoul(argv[1], NULL, 10) : 300) * 1000000UL, x = 1;
	for (unsigned long i = 0; i < n; i++)
		x = step(x);
	sink = x;
	return 0;
}
