/* Folded-stack input, read as flamegraph.pl reads it: the count is the last run of
 * `\d+(\.\d*)?` after one whitespace character; a second such run before it makes the line
 * differential (difffolded.pl's `stack before after`). Frames split on ';' with Perl's split
 * rules (trailing empty frames dropped), so a graph of the same file has the same frames. */
#include "collapse.h"
#include "chars.h"
#include "vec.h"

#include <errno.h>
#include <pthread.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Finds a trailing count in s[0..*len): on success *len is cut to the stack before the one
 * whitespace character, and the count is stored. */
/* ... an integer past UINT64_MAX is read as a double, as Perl reads it (*over set) */
static bool take_count(const char *s, size_t *len, double *value, uint64_t *ivalue, bool *is_int,
		       bool *over)
{
	size_t end = *len, i = end;
	while (i > 0 && ((s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '.'))
		i--;
	if (i == end || i == 0 || !ch_space(s[i - 1]))
		return false;
	/* \d+(\.\d*)? : digits first, at most one point */
	size_t j = i;
	uint64_t iv = 0;
	bool overflow = false;
	while (j < end && s[j] >= '0' && s[j] <= '9') {
		unsigned d = (unsigned)(s[j] - '0');
		if (iv > (UINT64_MAX - d) / 10)
			overflow = true;
		iv = iv * 10 + d;
		j++;
	}
	if (j == i)
		return false;
	bool frac = false;
	if (j < end) {
		if (s[j] != '.')
			return false;
		for (size_t k = j + 1; k < end; k++) {
			if (s[k] == '.')
				return false;
			if (s[k] != '0')
				frac = true;
		}
	}
	/* strtod needs a terminated copy: on the stack, or (a count of 64+ digits) the heap */
	char num[64], *big = NULL;
	size_t n = end - i;
	if (n >= sizeof(num) && !(big = malloc(n + 1)))
		return false;
	char *t = big ? big : num;
	memcpy(t, s + i, n);
	t[n] = '\0';
	*value = strtod(t, NULL);
	if (isinf(*value))	/* 309 digits or more: the largest double, never infinity */
		*value = DBL_MAX;
	free(big);
	*ivalue = iv;
	*is_int = !frac && !overflow;
	*over = overflow && !frac;
	*len = i - 1;
	return true;
}

/* The lines before a part of a file read apart (fold_read_file's second half), counted
 * only when a diagnostic needs its line number: most files have none. */
struct lines_before {
	const char *data;
	size_t len;
	bool counted;
};

static size_t lineno(struct line_reader *lr, struct lines_before *b)
{
	if (b && !b->counted) {
		size_t n = 0;
		for (const char *s = b->data; (s = memchr(s, '\n', (size_t)(b->data + b->len - s)));
		     s++)
			n++;
		lr_set_line_base(lr, n + lr_lineno(lr));
		b->counted = true;
	}
	return lr_lineno(lr);
}

static int fold_read_part(struct profile *p, struct line_reader *lr, struct lines_before *before)
{
	uint32_t *frames = NULL;	/* frame ids of the current line; also the previous one's */
	struct prof_name *names = NULL;	/* the names of the line's frames not in the previous */
	size_t names_cap = 0;
	size_t *prev_end = NULL;	/* where each of those frames ends in the line */
	size_t frames_cap = 0, prev_end_cap = 0, prev_depth = 0, prev_len = 0, prev_cap = 0;
	char *prev = NULL;
	const char *line;
	size_t len;
	int r, err = 0;

	while ((r = lr_next(lr, &line, &len)) > 0) {
		/* CRLF files are accepted (flamegraph.pl would drop every line of one) */
		if (len && line[len - 1] == '\r')
			len--;
		if (!len)
			continue;
		double v1, v2;
		uint64_t i1, i2;
		bool int1, int2, over1, over2;
		size_t stack_len = len;
		if (!take_count(line, &stack_len, &v1, &i1, &int1, &over1)) {
			prof_diag_add(p, lr_name(lr), lineno(lr, before),
				      "expected a count after the stack");
			continue;
		}
		size_t stack2_len = stack_len;
		bool diff = take_count(line, &stack2_len, &v2, &i2, &int2, &over2);
		if (over1 && !diff)	/* widths take it whole; folded output cannot: said */
			prof_diag_add(p, lr_name(lr), lineno(lr, before), "a count past 64 bits: drawn "
				      "as it is, written as 18446744073709551615");
		if (diff)
			stack_len = stack2_len;

		/* split on ';', Perl style: trailing empty fields are dropped */
		size_t keep = stack_len;
		while (keep > 0 && line[keep - 1] == ';')
			keep--;
		/* Folded files are usually sorted, so a line often starts with the frames of the
		 * line before: frames that lie wholly inside the common prefix (their ';' too) are
		 * taken from the previous line instead of being hashed again. */
		size_t depth = 0, start = 0;
		if (prev_len && keep) {
			size_t lim = keep < prev_len ? keep : prev_len;
			size_t same = 0;
			while (same + 8 <= lim && !memcmp(line + same, prev + same, 8))
				same += 8;
			while (same < lim && line[same] == prev[same])
				same++;
			while (depth < prev_depth && prev_end[depth] < same &&
			       (prev_end[depth] < keep && line[prev_end[depth]] == ';')) {
				start = prev_end[depth] + 1;
				depth++;
			}
		}
		/* the other frames, interned together */
		size_t known = depth;
		while (keep > 0 && start <= keep) {
			const char *semi = memchr(line + start, ';', keep - start);
			size_t k = semi ? (size_t)(semi - line) : keep;
			if (vec_grow((void **)&frames, &frames_cap, depth + 1, sizeof(*frames), 256) ||
			    vec_grow((void **)&prev_end, &prev_end_cap, depth + 1, sizeof(*prev_end),
				     256) ||
			    vec_grow((void **)&names, &names_cap, depth - known + 1, sizeof(*names),
				     256)) {
				err = -ENOMEM;
				goto out;
			}
			names[depth - known] = (struct prof_name){ line + start, k - start };
			prev_end[depth++] = k;
			start = k + 1;
			if (!semi)
				break;
		}
		if (depth > known && (err = prof_intern_many(p, names, depth - known,
							     frames + known)))
			goto out;	/* (an empty stack has no frames array yet) */
		/* remember this line's stack text for the next one */
		if (vec_grow((void **)&prev, &prev_cap, keep, 1, 256)) {
			err = -ENOMEM;
			goto out;
		}
		if (keep)
			memcpy(prev, line, keep);
		prev_len = keep;
		prev_depth = depth;
		if (diff)
			err = prof_add_diff(p, frames, depth, v2, v1);
		else if (int1)
			err = prof_add(p, frames, depth, i1);
		else
			err = prof_add_f(p, frames, depth, v1);
		if (err == -EOVERFLOW)
			err = prof_diag_overflow(p, lr_name(lr), lineno(lr, before));
		if (err)
			goto out;
	}
	if (r < 0)
		err = r;
out:
	free(frames);
	free(names);
	free(prev_end);
	free(prev);
	return err;
}

int fold_read(struct profile *p, struct line_reader *lr)
{
	return fold_read_part(p, lr, NULL);
}

/* Below this, one thread reads the file: a second one costs more than it saves. */
#define FOLD_PARALLEL_MIN_BYTES (16u << 20)

struct fold_half {
	struct profile *q;
	const struct line_reader *whole;
	const char *data;
	size_t len;
	struct lines_before before;
	int err;
};

static void *fold_half_run(void *arg)
{
	struct fold_half *h = arg;
	struct line_reader *lr;
	h->err = lr_open_part(&lr, h->whole, h->data, h->len);
	if (!h->err) {
		h->err = fold_read_part(h->q, lr, &h->before);
		lr_close(lr);
	}
	return NULL;
}

int fold_read_file(struct profile *p, struct line_reader *lr)
{
	size_t len;
	const char *data = lr_mapped(lr, &len);
	if (!data || len < FOLD_PARALLEL_MIN_BYTES)
		return fold_read(p, lr);
	/* the second half starts after the newline nearest past the middle */
	const char *nl = memchr(data + len / 2, '\n', len - len / 2);
	if (!nl || nl + 1 == data + len)
		return fold_read(p, lr);
	size_t first = (size_t)(nl + 1 - data);
	struct fold_half h = { .q = prof_new(), .whole = lr, .data = data + first,
			       .len = len - first, .before = { data, first, false } };
	pthread_t t;
	if (!h.q)
		return -ENOMEM;
	if (prof_keeps_order(p))
		prof_keep_order(h.q);
	if (pthread_create(&t, NULL, fold_half_run, &h)) {
		prof_free(h.q);
		return fold_read(p, lr);
	}
	struct line_reader *a;
	int err = lr_open_part(&a, lr, data, first);
	if (!err) {
		err = fold_read(p, a);
		lr_close(a);
	}
	pthread_join(t, NULL);
	if (!err)
		err = h.err;
	if (!err) {
		prof_diag_merge(p, h.q);
		err = prof_merge(p, h.q);
	}
	prof_free(h.q);
	return err;
}
