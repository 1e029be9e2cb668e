/* `perf script` output folded exactly as stackcollapse-perf.pl folds it, so scripts built on
 * that tool get byte-identical output. The Perl tool's rules are regular expressions; each is
 * re-expressed here as a hand-written scan that takes the same (leftmost, greedy or lazy)
 * match, with no regex engine and no allocation per line. Comments name the Perl pattern. */
#include "collapse.h"
#include "chars.h"
#include "hash.h"
#include "htab.h"
#include "vec.h"
#include "u32vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>



static inline bool is_word(char c)	/* Perl's \w on byte strings */
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ch_digit(c) || c == '_';
}

/* Frame lines repeat: the same return address in the same function of the same module comes
 * back in sample after sample (FlameGraph's example: 1,633 distinct frame lines in 35,000).
 * Each distinct line (and whether the process is java, which changes the tidy-up) is parsed
 * once; later copies cost one hash and one memcmp. Measured: 3x faster on the bench input. */
struct lc_entry {
	uint32_t hash;
	uint32_t text_off, text_len;
	uint32_t ids_off, nids;		/* LC_UNRECOGNIZED: the line matched no pattern */
};
#define LC_UNRECOGNIZED UINT32_MAX
#define LC_MAX_TEXT (64u << 20)

struct line_cache {
	struct lc_entry *entries;
	size_t n, cap;
	struct htab index;		/* by line text */
	char *text;
	size_t text_len, text_cap;
	struct u32vec ids;
};

static struct lc_entry *lc_find(struct line_cache *c, uint32_t h, const char *s, size_t len,
				size_t *slot)
{
	uint32_t e;
	size_t j = htab_start(&c->index, h);
	for (; (e = htab_slot(&c->index, j)); j = htab_next(&c->index, j)) {
		if (htab_tag(&c->index, j) != h)
			continue;
		struct lc_entry *x = &c->entries[e - 1];
		if (x->text_len == len && memcmp(c->text + x->text_off, s, len) == 0)
			return x;
	}
	*slot = j;
	return NULL;
}

/* adds a line lc_find did not find (it ended at slot) */
static int lc_insert(struct line_cache *c, size_t slot, uint32_t h, const char *s, size_t len,
		     const uint32_t *ids, uint32_t nids)
{
	if (vec_grow((void **)&c->entries, &c->cap, c->n + 1, sizeof(*c->entries), 1024))
		return -ENOMEM;
	if (vec_grow((void **)&c->text, &c->text_cap, c->text_len + len, 1, 65536))
		return -ENOMEM;
	if (c->text_len + len > UINT32_MAX || c->ids.len + (nids == LC_UNRECOGNIZED ? 0 : nids) > UINT32_MAX)
		return -E2BIG;
	struct lc_entry *e = &c->entries[c->n];
	*e = (struct lc_entry){ .hash = h, .text_off = (uint32_t)c->text_len,
				.text_len = (uint32_t)len, .ids_off = (uint32_t)c->ids.len,
				.nids = nids };
	memcpy(c->text + c->text_len, s, len);
	c->text_len += len;
	for (uint32_t i = 0; nids != LC_UNRECOGNIZED && i < nids; i++)
		if (u32vec_push(&c->ids, ids[i]))
			return -ENOMEM;
	c->n++;
	return htab_put(&c->index, slot, (uint32_t)c->n - 1, c->n, &c->entries[0].hash,
			sizeof(struct lc_entry));
}

static void lc_free(struct line_cache *c)
{
	free(c->entries);
	htab_free(&c->index);
	free(c->text);
	free(c->ids.v);
}

struct perf_state {
	struct profile *p;
	const struct collapse_opts *o;
	struct line_reader *lr;	/* for diagnostics */
	char *event;		/* the event kept: --event-filter, or the first one seen */
	size_t event_len;
	bool event_set, event_defaulted, event_warned;
	bool have_pname;	/* a sample header was accepted and its stack is being read */
	bool pname_java;	/* pname =~ /^java/ */
	struct u32vec pname;	/* the process frame, split on ';' as its folded text would be */
	uint64_t period;
	struct u32vec leaf_first;	/* frames of the current sample, leaf first */
	struct u32vec line_ids;		/* frames of the line being parsed */
	struct line_cache cache;
	char *scratch;		/* one frame or process name being built, as long as it needs */
	size_t scratch_cap;
};

/* room for need bytes in st->scratch: names are never cut (two different 5 KB C++ names stay
 * two frames, as in stackcollapse-perf.pl) */
static int scratch_reserve(struct perf_state *st, size_t need)
{
	return vec_grow((void **)&st->scratch, &st->scratch_cap, need, 1, 4096);
}

/* Perl: ^(\S.+?)\s+(\d+)[/]*(\d+)*\s+ -- the lazy comm means the first whitespace position (after at
 * least two characters) from which the rest matches. Every position inside one run of
 * whitespace reaches the same end of the run, so a run that fails is skipped whole: linear in
 * the line (a line of 100 KB of spaces was quadratic). */
static bool match_header(const char *s, size_t len, size_t *comm_len, const char **pid,
			 size_t *pid_len, const char **tid, size_t *tid_len)
{
	if (len < 2 || ch_space(s[0]))
		return false;
	for (size_t k = 2; k < len; k++) {
		if (!ch_space(s[k]))
			continue;
		size_t j = k;
		while (j < len && ch_space(s[j]))
			j++;
		size_t run_end = j;
		size_t d1 = j;
		while (j < len && ch_digit(s[j]))
			j++;
		if (j == d1) {
			k = run_end - 1;
			continue;
		}
		size_t d1_end = j;
		while (j < len && s[j] == '/')
			j++;
		size_t d2 = j;
		while (j < len && ch_digit(s[j]))
			j++;
		size_t d2_end = j;
		if (j >= len || !ch_space(s[j])) {
			k = run_end - 1;
			continue;
		}
		*comm_len = k;
		*pid = s + d1;
		*pid_len = d1_end - d1;
		*tid = d2_end > d2 ? s + d2 : NULL;
		*tid_len = d2_end - d2;
		return true;
	}
	return false;
}

/* /:\s*(\d+)*\s+(\S+):\s*$/ : the event is the last token less its final ':', preceded by
 * whitespace, optional digits (the period) and optional whitespace after a ':'. */
static bool match_event(const char *s, size_t len, const char **ev, size_t *ev_len,
			const char **period, size_t *period_len)
{
	size_t e = len;
	while (e > 0 && ch_space(s[e - 1]))
		e--;
	if (e < 2 || s[e - 1] != ':')
		return false;
	size_t t = e - 1;		/* token is s[t0..e-1), must be non-empty */
	size_t t0 = t;
	while (t0 > 0 && !ch_space(s[t0 - 1]))
		t0--;
	if (t0 == t || t0 == 0)
		return false;
	/* \s+ before the token (it may share a run with \s* before the digits) */
	size_t w = t0;
	while (w > 0 && ch_space(s[w - 1]))
		w--;
	size_t d = w;
	while (d > 0 && ch_digit(s[d - 1]))
		d--;
	if (d < w) {
		size_t c = d;
		while (c > 0 && ch_space(s[c - 1]))
			c--;
		if (c > 0 && s[c - 1] == ':') {
			*period = s + d;
			*period_len = w - d;
			goto found;
		}
		/* digits that are not a period: the ':' must then directly precede \s+ */
	}
	if (w > 0 && s[w - 1] == ':') {
		*period = NULL;
		*period_len = 0;
		goto found;
	}
	return false;
found:
	*ev = s + t0;
	*ev_len = t - t0;
	return true;
}

/* digits to a number; past UINT64_MAX it stays there and *over is set */
static uint64_t parse_u64(const char *s, size_t n, bool *over)
{
	uint64_t v = 0;
	*over = false;
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) {
			*over = true;
			return UINT64_MAX;
		}
		v = v * 10 + d;
	}
	return v;
}

static int header_line(struct perf_state *st, const char *s, size_t len, size_t comm_len,
		       const char *pid, size_t pid_len, const char *tid, size_t tid_len)
{
	const struct collapse_opts *o = st->o;
	const char *ev, *per;
	size_t ev_len, per_len;
	uint64_t period = 0;
	bool period_true = false;	/* Perl truth of $period: set and not "0" */

	st->have_pname = false;
	if (match_event(s, len, &ev, &ev_len, &per, &per_len)) {
		if (per) {
			bool over;
			period = parse_u64(per, per_len, &over);
			if (over)
				prof_diag_add(st->p, lr_name(st->lr), lr_lineno(st->lr),
					      "the sample's period overflows 64 bits: kept at %llu",
					      (unsigned long long)period);
			period_true = !(per_len == 1 && per[0] == '0');
		}
		if (!st->event_set) {
			/* by default only the first event type is kept: mixing cycles and
			 * instructions would mislead */
			if (!(st->event = strndup(ev, ev_len)))
				return -ENOMEM;
			st->event_len = strlen(st->event);	/* a NUL in the name ends it */
			st->event_set = st->event_defaulted = true;
		} else if (st->event_len != ev_len || memcmp(st->event, ev, ev_len)) {
			if (st->event_defaulted && !st->event_warned) {
				prof_note_add(st->p, "filtering for events of type: %s", st->event);
				st->event_warned = true;
			}
			return 0;
		}
	}
	st->period = period_true ? period : 1;

	/* Perl: `if (not $tid) { $tid = $pid; $pid = "?" }` ("0" is false too) */
	const char *pid_s = pid, *tid_s = tid;
	size_t pid_n = pid_len, tid_n = tid_len;
	if (!tid || (tid_len == 1 && tid[0] == '0')) {
		tid_s = pid;
		tid_n = pid_len;
		pid_s = "?";
		pid_n = 1;
	}

	if (scratch_reserve(st, comm_len + pid_n + tid_n + 8))
		return -ENOMEM;
	char *buf = st->scratch;
	size_t n = 0, cap = st->scratch_cap;
#define APPEND(src, l) do { size_t l_ = (l); if (n + l_ >= cap) l_ = cap - 1 - n; \
	memcpy(buf + n, (src), l_); n += l_; } while (0)
	APPEND(s, comm_len);
	if (o->tid) {
		APPEND("-", 1);
		APPEND(pid_s, pid_n);
		APPEND("/", 1);
		APPEND(tid_s, tid_n);
	} else if (o->pid) {
		APPEND("-", 1);
		APPEND(pid_s, pid_n);
	}
#undef APPEND
	for (size_t i = 0; i < n; i++)
		if (buf[i] == ' ')
			buf[i] = '_';
	st->pname_java = n >= 4 && memcmp(buf, "java", 4) == 0;
	st->pname.len = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || buf[i] == ';') {
			int64_t id = prof_intern(st->p, buf + start, i - start);
			if (id < 0)
				return (int)id;
			if (u32vec_push(&st->pname, (uint32_t)id))
				return -ENOMEM;
			start = i + 1;
		}
	}
	st->leaf_first.len = 0;
	st->have_pname = true;
	return 0;
}

/* /^\s*(\w+)\s*(.+) \((.*)\)/ : (.+) is greedy, so the module is between the last " (" that
 * has a ')' after it and the last ')'. */
static bool match_frame(const char *s, size_t len, const char **pc, size_t *pc_len,
			const char **func, size_t *func_len, const char **mod, size_t *mod_len)
{
	size_t i = 0;
	while (i < len && ch_space(s[i]))
		i++;
	size_t pc0 = i;
	while (i < len && is_word(s[i]))
		i++;
	size_t pc_end = i;
	if (pc_end == pc0)
		return false;
	while (i < len && ch_space(s[i]))
		i++;
	const char *close = memrchr(s, ')', len);
	if (!close)
		return false;
	size_t e = (size_t)(close - s);
	size_t q = e;	/* find the last " (" with '(' before e */
	for (;;) {
		if (q < 2)
			return false;
		q--;
		if (s[q] == '(' && s[q - 1] == ' ')
			break;
	}
	q--;		/* q: index of the space of " (" */
	size_t r = i;	/* (.+) starts here, needs at least one character before q */
	if (r >= q) {
		/* backtrack \s* then \w+ so that (.+) gets one character */
		if (q < pc0 + 2)
			return false;
		r = q - 1;
		if (r < pc_end)
			pc_end = r;
	}
	*pc = s + pc0;
	*pc_len = pc_end - pc0;
	*func = s + r;
	*func_len = q - r;
	*mod = s + q + 2;
	*mod_len = e - (q + 2);
	return true;
}

static bool has_str(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* /\.\(.*\)\./ : a Go method such as net/http.(*Client).Do keeps its parentheses */
static bool looks_go_method(const char *s, size_t n)
{
	const char *a = memmem(s, n, ".(", 2);
	if (!a)
		return false;
	size_t off = (size_t)(a - s) + 2;
	/* need ")." somewhere at or after off */
	return memmem(s + off, n - off, ").", 2) != NULL;
}

/* m:/tmp/perf-\d+\.map: */
static bool is_jit_map(const char *m, size_t n)
{
	const char *p = m, *end = m + n;
	while ((p = memmem(p, (size_t)(end - p), "/tmp/perf-", 10))) {
		const char *d = p + 10, *q = d;
		while (q < end && ch_digit(*q))
			q++;
		if (q > d && end - q >= 4 && memcmp(q, ".map", 4) == 0)
			return true;
		p++;
	}
	return false;
}

/* One frame of a stack line (one part of an inline chain a->b): applies the Perl tool's
 * tidy-ups and annotations, interns it, and returns its id. */
static int64_t frame_name(struct perf_state *st, const char *func, size_t flen, bool inlined,
			  const char *pc, size_t pc_len, const char *mod, size_t mod_len)
{
	const struct collapse_opts *o = st->o;
	if (scratch_reserve(st, (flen > mod_len ? flen : mod_len) + 96))
		return -ENOMEM;
	char *buf = st->scratch;
	size_t cap = st->scratch_cap - 8, n = 0;

	if (flen == 9 && memcmp(func, "[unknown]", 9) == 0) {
		const char *name = "unknown";
		size_t name_len = 7;
		if (!(mod_len == 9 && memcmp(mod, "[unknown]", 9) == 0)) {
			/* the module's base name instead, if known (s/.*\///) */
			const char *slash = memrchr(mod, '/', mod_len);
			name = slash ? slash + 1 : mod;
			name_len = mod_len - (size_t)(name - mod);
		}
		buf[n++] = '[';
		size_t c = name_len < cap - 40 ? name_len : cap - 40;
		memcpy(buf + n, name, c);
		n += c;
		if (o->addrs) {
			buf[n++] = ' ';
			buf[n++] = '<';
			c = pc_len < 24 ? pc_len : 24;
			memcpy(buf + n, pc, c);
			n += c;
			buf[n++] = '>';
		}
		buf[n++] = ']';
	} else {
		n = flen < cap ? flen : cap;
		memcpy(buf, func, n);
	}

	/* tidy_generic: ';' would split the frame, and everything from the first '(' that is not
	 * "(anonymous namespace)" is argument noise, except in Go method names */
	for (size_t i = 0; i < n; i++)
		if (buf[i] == ';')
			buf[i] = ':';
	if (!looks_go_method(buf, n)) {
		for (size_t i = 0; i < n; i++) {
			if (buf[i] != '(')
				continue;
			if (n - i - 1 >= 20 && memcmp(buf + i + 1, "anonymous namespace)", 20) == 0)
				continue;
			n = i;
			break;
		}
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (buf[i] != '"' && buf[i] != '\'')
			buf[w++] = buf[i];
	n = w;

	/* tidy_java: Lorg/mozilla/...; loses its leading L */
	if (st->pname_java && n && buf[0] == 'L' && memchr(buf, '/', n)) {
		memmove(buf, buf + 1, n - 1);
		n--;
	}

	if (inlined) {
		if (!has_str(buf, n, "_[i]")) {
			memcpy(buf + n, "_[i]", 4);
			n += 4;
		}
	} else if (o->kernel && mod_len &&
		   (mod[0] == '[' || (mod_len >= 7 && memcmp(mod + mod_len - 7, "vmlinux", 7) == 0)) &&
		   !has_str(mod, mod_len, "unknown")) {
		memcpy(buf + n, "_[k]", 4);
		n += 4;
	} else if (o->jit && is_jit_map(mod, mod_len)) {
		if (!has_str(buf, n, "_[j]")) {
			memcpy(buf + n, "_[j]", 4);
			n += 4;
		}
	}
	return prof_intern(st->p, buf, n);
}

/* Parses a frame line into st->line_ids (in leaf-first order). Returns 1 when the line
 * matches no pattern, 0 or -errno otherwise. */
static int parse_frame_line(struct perf_state *st, const char *s, size_t len)
{
	const char *pc, *func, *mod;
	size_t pc_len, flen, mod_len;
	st->line_ids.len = 0;
	if (!match_frame(s, len, &pc, &pc_len, &func, &flen, &mod, &mod_len))
		return 1;
	/* Linux 4.8+ prints symbol offsets: s/\+0x[\da-f]+$// */
	{
		size_t i = flen;
		while (i > 0 && (ch_digit(func[i - 1]) || (func[i - 1] >= 'a' && func[i - 1] <= 'f')))
			i--;
		if (i < flen && i >= 3 && func[i - 1] == 'x' && func[i - 2] == '0' && func[i - 3] == '+')
			flen = i - 3;
	}
	if (flen && func[0] == '(')	/* process names, not functions */
		return 0;

	/* split /->/ with Perl's rules: trailing empty parts are dropped. The parts keep their
	 * order above the frames read so far (unshift @stack, @inline), so in a leaf-first list
	 * they go in reverse: read from the end. "->" cannot overlap itself, so the matches are
	 * the ones a split from the start finds. */
	size_t end = flen;
	bool trailing = true;	/* still in the trailing empty parts */
	for (size_t i = flen;; i--) {
		bool sep = i >= 2 && func[i - 2] == '-' && func[i - 1] == '>';
		if (!sep && i > 0)
			continue;
		size_t start = i;	/* the part is func[start..end) */
		if (!(trailing && start == end)) {
			trailing = false;
			bool inlined = start > 0;	/* every part but the first is inlined */
			int64_t id = frame_name(st, func + start, end - start, inlined, pc, pc_len,
						mod, mod_len);
			if (id < 0)
				return (int)id;
			int err = u32vec_push(&st->line_ids, (uint32_t)id);
			if (err)
				return err;
		}
		if (i == 0)
			break;
		end = i - 2;
		i--;	/* skip the '-' too (the loop's i-- takes the '>') */
	}
	return 0;
}

static int frame_line(struct perf_state *st, const char *s, size_t len)
{
	struct line_cache *c = &st->cache;
	uint32_t h = (uint32_t)hash_bytes64(s, len, st->pname_java);
	size_t slot = 0;
	const uint32_t *ids;
	uint32_t nids;
	struct lc_entry *e = lc_find(c, h, s, len, &slot);
	if (e) {
		nids = e->nids;
		/* no pointer arithmetic on an empty array (UBSan, found by fuzz_perf) */
		ids = nids && nids != LC_UNRECOGNIZED ? c->ids.v + e->ids_off : NULL;
	} else {
		int r = parse_frame_line(st, s, len);
		if (r < 0)
			return r;
		nids = r == 1 ? LC_UNRECOGNIZED : (uint32_t)st->line_ids.len;
		/* input with mostly unique lines would grow the cache with the input: stop
		 * caching past a bound, so memory follows unique stacks, not input size */
		if (c->text_len < LC_MAX_TEXT && (r = lc_insert(c, slot, h, s, len, st->line_ids.v, nids)))
			return r;
		ids = st->line_ids.v;
	}
	if (nids == LC_UNRECOGNIZED)
		return 1;
	if (!st->have_pname)
		return 0;
	for (uint32_t i = 0; i < nids; i++)
		if (u32vec_push(&st->leaf_first, ids[i]))
			return -ENOMEM;
	return 0;
}

static int end_of_sample(struct perf_state *st, struct u32vec *stack)
{
	if (!st->have_pname)
		return 0;
	stack->len = 0;
	for (size_t i = 0; i < st->pname.len; i++)
		if (u32vec_push(stack, st->pname.v[i]))
			return -ENOMEM;
	for (size_t i = st->leaf_first.len; i-- > 0;)
		if (u32vec_push(stack, st->leaf_first.v[i]))
			return -ENOMEM;
	st->have_pname = false;
	st->leaf_first.len = 0;
	int err = prof_add(st->p, stack->v, stack->len, st->period);
	return err == -EOVERFLOW ? prof_diag_overflow(st->p, lr_name(st->lr), lr_lineno(st->lr))
				 : err;
}

int perf_collapse(struct profile *p, struct line_reader *lr, const struct collapse_opts *o)
{
	struct perf_state *st = calloc(1, sizeof(*st));
	struct u32vec stack = { 0 };
	const char *line;
	size_t len;
	int r, err = 0;

	if (!st)
		return -ENOMEM;
	st->p = p;
	st->o = o;
	st->lr = lr;
	if (o->event_filter && *o->event_filter) {
		if (!(st->event = strdup(o->event_filter))) {
			free(st);
			return -ENOMEM;
		}
		st->event_len = strlen(st->event);
		st->event_set = true;
	}
	while ((r = lr_next(lr, &line, &len)) > 0) {
		if (len == 0) {
			if ((err = end_of_sample(st, &stack)))
				goto out;
			continue;
		}
		if (line[0] == '#')
			continue;
		size_t comm_len, pid_len, tid_len;
		const char *pid, *tid;
		if (match_header(line, len, &comm_len, &pid, &pid_len, &tid, &tid_len)) {
			err = header_line(st, line, len, comm_len, pid, pid_len, tid, tid_len);
		} else {
			err = frame_line(st, line, len);
			if (err == 1) {
				prof_diag_add(p, lr_name(lr), lr_lineno(lr), "unrecognized line");
				err = 0;
			}
		}
		if (err)
			goto out;
	}
	if (r < 0) {
		err = r;
		goto out;
	}
	/* the Perl tool drops a last sample that is not followed by a blank line; so do we */
out:
	free(stack.v);
	free(st->leaf_first.v);
	free(st->line_ids.v);
	free(st->pname.v);
	free(st->event);
	free(st->scratch);
	lc_free(&st->cache);
	free(st);
	return err;
}
