/* Minimal assertion helpers for scorch's C unit tests: each failed check prints where and
 * what, and the test's exit code is the number of failures (ctest reads non-zero as failed). */
#ifndef SCORCH_TEST_CHECK_H
#define SCORCH_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	check_failures++; } } while (0)
#define CHECK_INT(got, want) do { long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) { fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, \
	#got, g_, w_); check_failures++; } } while (0)
#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); \
	if (!g_ || strcmp(g_, w_)) { fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", \
	__FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_); check_failures++; } } while (0)
#define CHECK_DONE() do { if (check_failures) fprintf(stderr, "%d check(s) failed\n", \
	check_failures); else printf("all checks passed\n"); return check_failures ? 1 : 0; } while (0)
#endif
