/* The CI gate's statistics: no false alarm over many noisy draws of one workload, a real
 * shift caught and named, recursion counted once per stack, and difffolded.pl's -n/-s. */
#include "check.h"
#include "collapse.h"
#include "diff.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static double uniform(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* a workload: 40 stacks under main, with a few heavy leaves (alpha, beta, gamma) */
#define NSTACKS 40
static const char *stack_text[NSTACKS];
static double weight[NSTACKS];

static void make_workload(double gamma_share)
{
	static char bufs[NSTACKS][128];
	double rest = 1 - 0.3 - 0.2 - gamma_share;
	for (int i = 0; i < NSTACKS; i++) {
		if (i == 0) {
			snprintf(bufs[i], sizeof(bufs[i]), "app;main;run;alpha");
			weight[i] = 0.3;
		} else if (i == 1) {
			snprintf(bufs[i], sizeof(bufs[i]), "app;main;run;beta;beta;beta_leaf");
			weight[i] = 0.2;
		} else if (i == 2) {
			snprintf(bufs[i], sizeof(bufs[i]), "app;main;work;gamma");
			weight[i] = gamma_share;
		} else {
			snprintf(bufs[i], sizeof(bufs[i]), "app;main;misc%d;leaf%d", i % 7, i);
			weight[i] = rest / (NSTACKS - 3);
		}
		stack_text[i] = bufs[i];
	}
}

/* n samples drawn from the workload, as a folded profile */
static struct profile *draw(int n)
{
	int counts[NSTACKS] = { 0 };
	for (int k = 0; k < n; k++) {
		double u = uniform(), c = 0;
		int i = 0;
		for (; i < NSTACKS - 1; i++) {
			c += weight[i];
			if (u < c)
				break;
		}
		counts[i]++;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	for (int i = 0; i < NSTACKS; i++)
		if (counts[i])
			fprintf(f, "%s %d\n", stack_text[i], counts[i]);
	fclose(f);
	struct profile *p = prof_new();
	struct line_reader *lr;
	lr_open_mem(&lr, text, len, "draw");
	fold_read(p, lr);
	lr_close(lr);
	free(text);
	return p;
}

static void test_noise(void)
{
	make_workload(0.2);
	int alarms = 0, improvements = 0;
	for (int k = 0; k < 200; k++) {
		int n = 2000 + (k % 10) * 2000;	/* 2,000 to 20,000 samples */
		struct profile *a = draw(n), *b = draw(n + (k % 3) * 500);
		struct check_result r;
		struct profile *d = prof_new();
		struct diff_opts dopts = { 0 };
		struct check_opts co = { .threshold_pts = 2, .alpha = 0.01, .min_samples = 1000 };
		CHECK_INT(diff_build(d, a, b, &dopts), 0);
		CHECK_INT(check_compare(d, &co, &r), 0);
		alarms += (int)r.nregressions;
		improvements += (int)r.nimprovements;
		check_result_free(&r);
		prof_free(d);
		prof_free(a);
		prof_free(b);
	}
	CHECK_INT(alarms, 0);
	CHECK_INT(improvements, 0);
}

static void test_shift(void)
{
	int caught = 0;
	for (int k = 0; k < 20; k++) {
		make_workload(0.2);
		struct profile *a = draw(10000);
		make_workload(0.25);
		struct profile *b = draw(10000);
		struct profile *d = prof_new();
		struct diff_opts dopts = { 0 };
		struct check_opts co = { .threshold_pts = 2, .alpha = 0.01, .min_samples = 1000 };
		struct check_result r;
		CHECK_INT(diff_build(d, a, b, &dopts), 0);
		CHECK_INT(check_compare(d, &co, &r), 0);
		/* gamma grew by 5 points, inclusive and self; work (its parent) too */
		bool gamma_self = false, gamma_inc = false, others = false;
		for (size_t i = 0; i < r.nchanges; i++) {
			const struct diff_change *c = &r.changes[i];
			if (!c->significant || c->change_pts < 0)
				continue;
			const char *name = prof_frame_name(d, c->frame);
			if (!strcmp(name, "gamma"))
				*(c->kind == DIFF_SELF ? &gamma_self : &gamma_inc) = true;
			else if (strcmp(name, "work"))
				others = true;
		}
		caught += gamma_self && gamma_inc && !others;
		check_result_free(&r);
		prof_free(d);
		prof_free(a);
		prof_free(b);
	}
	CHECK_INT(caught, 20);
}

static struct profile *folded(const char *text)
{
	struct profile *p = prof_new();
	struct line_reader *lr;
	lr_open_mem(&lr, text, strlen(text), "t");
	CHECK_INT(fold_read(p, lr), 0);
	lr_close(lr);
	return p;
}

static void test_recursion_and_thin(void)
{
	/* f appears twice in one stack: its inclusive share counts the stack once */
	struct profile *a = folded("m;f;g;f 600\nm;h 400\n"), *b = folded("m;f;g;f 300\nm;h 700\n");
	struct profile *d = prof_new();
	struct diff_opts dopts = { 0 };
	struct check_opts co = { .threshold_pts = 2, .alpha = 0.01, .min_samples = 1000 };
	struct check_result r;
	CHECK_INT(diff_build(d, a, b, &dopts), 0);
	CHECK_INT(check_compare(d, &co, &r), 0);
	bool seen = false;
	for (size_t i = 0; i < r.nchanges; i++) {
		const struct diff_change *c = &r.changes[i];
		if (!strcmp(prof_frame_name(d, c->frame), "f") && c->kind == DIFF_INCLUSIVE) {
			CHECK(fabs(c->base_pct - 60) < 1e-9 && fabs(c->cur_pct - 30) < 1e-9);
			seen = true;
		}
		if (!strcmp(prof_frame_name(d, c->frame), "h") && c->kind == DIFF_SELF)
			CHECK(c->significant && c->change_pts > 29);
	}
	CHECK(seen);
	CHECK_INT(r.nregressions, 2);	/* h: inclusive and self */
	check_result_free(&r);
	/* too few samples: refused */
	co.min_samples = 5000;
	CHECK_INT(check_compare(d, &co, &r), -EDOM);
	prof_free(d);
	prof_free(a);
	prof_free(b);
	CHECK(fabs(check_z_critical(0.05) - 1.959964) < 1e-5);
}

static void test_normalize_strip(void)
{
	struct profile *a = folded("x;0x7f12ab 3\ny 7\n"), *b = folded("x;0xdead 10\ny 10\nz 10\n");
	struct profile *d = prof_new();
	struct diff_opts dopts = { .normalize = true, .strip_hex = true };
	CHECK_INT(diff_build(d, a, b, &dopts), 0);
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	fold_write(d, f);
	fclose(f);
	/* before scaled by 30/10 and truncated, as difffolded.pl -n does */
	CHECK_STR(s, "x;0x... 9 10\ny 21 10\nz 0 10\n");
	free(s);
	prof_free(d);
	prof_free(a);
	prof_free(b);
}

int main(void)
{
	test_noise();
	test_shift();
	test_recursion_and_thin();
	test_normalize_strip();
	CHECK_DONE();
}
