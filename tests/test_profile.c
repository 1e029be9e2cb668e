/* Unit tests of the profile model and folded I/O: interning, merging, sort order, Perl-style
 * parsing of counts and frames, fractional and differential counts, atomic output. */
#include "check.h"
#include "collapse.h"
#include "utf8.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *fold_to_string(const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK_INT(fold_write(p, f), 0);
	fclose(f);
	return buf;
}

static struct profile *read_str(const char *text)
{
	struct profile *p = prof_new();
	struct line_reader *lr;
	CHECK_INT(lr_open_mem(&lr, text, strlen(text), "mem"), 0);
	CHECK_INT(fold_read(p, lr), 0);
	lr_close(lr);
	return p;
}

static void test_intern(void)
{
	struct profile *p = prof_new();
	int64_t a = prof_intern(p, "alpha", 5), b = prof_intern(p, "beta", 4);
	CHECK(a >= 0 && b >= 0 && a != b);
	CHECK_INT(prof_intern(p, "alpha;x", 5), a);
	CHECK_STR(prof_frame_name(p, (uint32_t)b), "beta");
	/* many names force rehashing; ids stay stable */
	char name[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(name, sizeof(name), "f%d", i);
		CHECK_INT(prof_intern(p, name, (size_t)n), i + 2);
	}
	CHECK_INT(prof_intern(p, "f777", 4), 779);
	CHECK_INT(prof_nframes(p), 100002);
	prof_free(p);
}

static void test_fold_roundtrip(void)
{
	/* sort order is the folded text's byte order: "a-x" < "a;b" since '-' < ';' */
	struct profile *p = read_str("a;b 3\na-x;q 1\na;b 2\na 7\n;lead 1\nt;; 4\n\nno count\n"
				     "x 5.\ncr 2\r\n");
	char *s = fold_to_string(p);
	CHECK_STR(s, ";lead 1\na 7\na-x;q 1\na;b 5\ncr 2\nt 4\nx 5\n");
	CHECK_INT(prof_diag_count(p), 1);
	CHECK_STR(prof_diag_get(p, 0)->where, "mem:8");
	CHECK_INT(prof_total_int(p), 25);
	free(s);
	prof_free(p);
}

static void test_perl_count_rules(void)
{
	/* one whitespace before the count is eaten, any more stay in the frame name */
	struct profile *p = read_str("a  2\nb\t3\nc 1.2.3\nd -1\ne 1e5\nf 0.25\n");
	CHECK(prof_fractional(p));
	char *s = fold_to_string(p);
	CHECK_STR(s, "a  2\nb 3\nf 0.25\n");
	CHECK_INT(prof_diag_count(p), 3);
	free(s);
	prof_free(p);
}

static void test_differential(void)
{
	struct profile *p = read_str("a;b 10 15\na;c 5 0\na;b 1 1\n");
	CHECK(prof_differential(p));
	char *s = fold_to_string(p);
	CHECK_STR(s, "a;b 11 16\na;c 5 0\n");
	CHECK(prof_total(p) == 16);
	CHECK(prof_total_before(p) == 16);
	free(s);
	prof_free(p);
}

static void test_merge(void)
{
	struct profile *a = read_str("x;y 2\nx 1\n"), *b = read_str("x;y 3\nz 4\n");
	CHECK_INT(prof_merge(a, b), 0);
	char *s = fold_to_string(a);
	CHECK_STR(s, "x 1\nx;y 5\nz 4\n");
	free(s);
	prof_free(a);
	prof_free(b);
}

static void test_big_counts(void)
{
	struct profile *p = read_str("a 18446744073709551615\nb 9007199254740993\n");
	char *s = fold_to_string(p);
	CHECK_STR(s, "a 18446744073709551615\nb 9007199254740993\n");
	free(s);
	prof_free(p);

	/* a sum past 64 bits saturates with a diagnostic naming the line, never wraps to 0 */
	p = read_str("a;b 18446744073709551615\na;b 1\nc 2\n");
	s = fold_to_string(p);
	CHECK_STR(s, "a;b 18446744073709551615\nc 2\n");
	CHECK_INT(prof_diag_count(p), 1);
	CHECK_STR(prof_diag_get(p, 0)->where, "mem:2");
	CHECK_INT(prof_total_int(p), UINT64_MAX);
	free(s);
	prof_free(p);

	/* a 70-digit count is read whole (a double), not its first 63 digits */
	p = read_str("a 1234567890123456789012345678901234567890123456789012345678901234567890\n");
	CHECK(prof_total(p) > 1.2e69 && prof_total(p) < 1.3e69);
	prof_free(p);

	/* an empty stack first (UBSan: no memcpy from NULL), then a real one */
	p = read_str(" 1\na 2\n");
	s = fold_to_string(p);
	CHECK_STR(s, "a 2\n");
	free(s);
	prof_free(p);
}

static void test_atomic_out(void)
{
	char dir[] = "/tmp/scorch-test-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[128];
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	struct atomic_out o;
	CHECK_INT(aout_open(&o, path), 0);
	fputs("half", o.fp);
	aout_abort(&o);
	CHECK(access(path, F_OK) != 0);	/* nothing left behind */
	CHECK_INT(aout_open(&o, path), 0);
	fputs("whole\n", o.fp);
	CHECK_INT(aout_commit(&o), 0);
	FILE *f = fopen(path, "r");
	char buf[16] = { 0 };
	CHECK(f && fgets(buf, sizeof(buf), f));
	CHECK_STR(buf, "whole\n");
	if (f)
		fclose(f);
	unlink(path);
	rmdir(dir);
	/* a device is written in place, never replaced by a renamed file */
	CHECK_INT(aout_open(&o, "/dev/null"), 0);
	fputs("x", o.fp);
	CHECK_INT(aout_commit(&o), 0);
	struct stat st;
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
}

static void test_detect(void)
{
	CHECK_INT(collapse_detect("a;b 1\n", 6), FMT_FOLDED);
	const char *perf = "dd 123 [000] 1.0: cycles:\n\tffffffff8104f45a native_write ([k])\n";
	CHECK_INT(collapse_detect(perf, strlen(perf)), FMT_PERF);
	const char *bt = "Attaching 1 probe...\n\n@[\n    foo+1\n]: 3\n";
	CHECK_INT(collapse_detect(bt, strlen(bt)), FMT_BPFTRACE);
	/* without the banner: a one-line entry, a scalar, a multi-line key */
	static const char *bts[] = { "@cnt[python3]: 12\n", "@n: 3\n", "@stacks[\n  f+1\n]: 2\n" };
	for (size_t i = 0; i < 3; i++)
		CHECK_INT(collapse_detect(bts[i], strlen(bts[i])), FMT_BPFTRACE);
	/* folded stacks whose first frame starts with '@' are folded, not bpftrace */
	const char *at = "@plt;foo 3\n@x[1];bar:baz 2\n";
	CHECK_INT(collapse_detect(at, strlen(at)), FMT_FOLDED);
}

/* one sanitizer at the intern boundary: nothing a name holds can split a stack, break a line,
 * reorder text or be invalid UTF-8 in any output */
static void test_sanitize(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "plain_name(int) [k]", "plain_name(int) [k]" },
		{ "x\t9999999999\nz", "x\xef\xbf\xbd" "9999999999\xef\xbf\xbdz" },
		{ "my;comm", "my:comm" },
		{ "bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd" },
		{ "c1\xc2\x85", "c1\xef\xbf\xbd" },			/* U+0085 NEL */
		{ "rtl\xe2\x80\xaegnp.exe", "rtl\xef\xbf\xbdgnp.exe" },	/* U+202E */
		{ "iso\xe2\x81\xa6x", "iso\xef\xbf\xbdx" },		/* U+2066 */
		{ "ls\xe2\x80\xa8", "ls\xef\xbf\xbd" },			/* U+2028 */
		{ "over\xc0\xaf", "over\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong '/' */
		{ "sur\xed\xa0\x80", "sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x94\xa5", "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x94\xa5" },
		{ "del\x7f", "del\xef\xbf\xbd" },
	};
	struct profile *p = prof_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t id = prof_intern(p, cases[i].in, strlen(cases[i].in));
		CHECK(id >= 0);
		CHECK_STR(prof_frame_name(p, (uint32_t)id), cases[i].want);
		/* the clean name is the same frame */
		CHECK_INT(prof_intern(p, cases[i].want, strlen(cases[i].want)), id);
	}
	/* a NUL inside a name is a control character too */
	int64_t id = prof_intern(p, "a\0b", 3);
	CHECK_STR(prof_frame_name(p, (uint32_t)id), "a\xef\xbf\xbd" "b");
	prof_free(p);
}

/* perf script frame names are never cut: two 5 KB C++ names that differ at the end stay two
 * frames, as in stackcollapse-perf.pl */
static void test_perf_long_names(void)
{
	size_t n = 12000, len = 0;
	char *text = malloc(2 * n + 512);
	for (int k = 0; k < 2; k++) {
		len += (size_t)sprintf(text + len, "prog 123 1.0: cycles:\n\t4004d0 ns::f<");
		memset(text + len, 'x', 5000);
		len += 5000;
		len += (size_t)sprintf(text + len, "%c>+0x1 (/bin/prog)\n\t4004e0 main+0x2 (/bin/prog)\n\n",
				       'A' + k);
	}
	struct profile *p = prof_new();
	struct line_reader *lr;
	struct collapse_opts o = { 0 };
	CHECK_INT(lr_open_mem(&lr, text, len, "mem"), 0);
	CHECK_INT(perf_collapse(p, lr, &o), 0);
	lr_close(lr);
	CHECK_INT(prof_nstacks(p), 2);
	CHECK_INT(prof_frame_len(p, prof_stack_frames(p, prof_stack(p, 0))[2]), 5008);
	prof_free(p);
	free(text);
}

/* a converter run over text: perf (fmt 'p') or bpftrace ('b'), folded result as a string */
static char *convert(char fmt, const char *text, size_t len, const struct collapse_opts *o,
		     struct profile **out)
{
	struct profile *p = prof_new();
	struct line_reader *lr;
	CHECK_INT(lr_open_mem(&lr, text, len, "mem"), 0);
	CHECK_INT(fmt == 'p' ? perf_collapse(p, lr, o) : bt_collapse(p, lr, o), 0);
	lr_close(lr);
	char *s = fold_to_string(p);
	*out = p;
	return s;
}

/* the converters' counts saturate with FILE:LINE, never wrap or fail the whole input */
static void test_converter_counts(void)
{
	struct collapse_opts o = { 0 };
	struct profile *p;
	const char *perf =
		"prog 1 1.0: 18446744073709551615 cycles:\n\t10 foo (/x)\n\n"
		"prog 1 1.0: 5 cycles:\n\t10 foo (/x)\n\n"
		"prog 1 1.0: 123456789012345678901234567890 cycles:\n\t10 bar (/x)\n\n";
	char *s = convert('p', perf, strlen(perf), &o, &p);
	CHECK_STR(s, "prog;bar 18446744073709551615\nprog;foo 18446744073709551615\n");
	CHECK_INT(prof_diag_count(p), 2);
	CHECK_STR(prof_diag_get(p, 0)->where, "mem:6");	/* the sample's end */
	CHECK(strstr(prof_diag_get(p, 0)->msg, "overflows"));
	CHECK_STR(prof_diag_get(p, 1)->where, "mem:7");	/* the 30-digit period */
	free(s);
	prof_free(p);

	const char *bt = "@[\n    foo\n]: 18446744073709551615\n@[\n    foo\n]: 3\n"
			 "@[\n    bar\n]: 123456789012345678901234567890\n@[\n    baz\n]: 2\n";
	s = convert('b', bt, strlen(bt), &o, &p);
	CHECK_STR(s, "baz 2\nfoo 18446744073709551615\n");
	CHECK_INT(prof_diag_count(p), 2);
	CHECK_STR(prof_diag_get(p, 0)->where, "mem:9");	/* a value past 64 bits: bad */
	CHECK_STR(prof_diag_get(p, 1)->where, "mem:6");	/* the sum: saturated */
	free(s);
	prof_free(p);

	/* a diagnostic keeps a long file name whole, line number included */
	p = prof_new();
	char name[600];
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	struct line_reader *lr;
	CHECK_INT(lr_open_mem(&lr, "a 1\nno count\n", 13, name), 0);
	CHECK_INT(fold_read(p, lr), 0);
	lr_close(lr);
	CHECK_INT(prof_diag_count(p), 1);
	CHECK_INT(strlen(prof_diag_get(p, 0)->where), sizeof(name) - 1 + 2);
	CHECK(strstr(prof_diag_get(p, 0)->where, ":2"));
	prof_note_add(p, "%s: skipped", name);	/* notes are whole too */
	CHECK_INT(strlen(prof_note_get(p, 0)), sizeof(name) - 1 + 9);
	prof_free(p);

	/* a single integer count past 64 bits: drawn whole, said with its line */
	p = read_str("a 99999999999999999999999\n");
	CHECK_INT(prof_diag_count(p), 1);
	CHECK_STR(prof_diag_get(p, 0)->where, "mem:1");
	prof_free(p);
}

/* no fixed part or name limit in the converters: long event names, many inline parts, many
 * ';' in a process name, long bpftrace names, many stack keys */
static void test_converter_limits(void)
{
	struct collapse_opts o = { 0 };
	struct profile *p;
	size_t cap = 1 << 20, len = 0;
	char *t = malloc(cap);

	/* a 300-byte event name: both samples are that event, none filtered */
	char ev[301];
	memset(ev, 'e', 300);
	ev[300] = '\0';
	for (int k = 0; k < 2; k++)
		len += (size_t)sprintf(t + len, "prog 1 1.0: 1 %s:\n\t10 f%d (/x)\n\n", ev, k);
	char *s = convert('p', t, len, &o, &p);
	CHECK_STR(s, "prog;f0 1\nprog;f1 1\n");
	free(s);
	prof_free(p);
	o.event_filter = ev;
	s = convert('p', t, len, &o, &p);
	CHECK_STR(s, "prog;f0 1\nprog;f1 1\n");
	free(s);
	prof_free(p);
	o.event_filter = NULL;

	/* 300 inline parts a->b->...: 300 frames, the first outermost; trailing "->" dropped */
	len = (size_t)sprintf(t, "prog 1 1.0: 1 cycles:\n\t10 ");
	for (int k = 0; k < 300; k++)
		len += (size_t)sprintf(t + len, "i%d->", k);
	len += (size_t)sprintf(t + len, "->" " (/x)\n\n");
	s = convert('p', t, len, &o, &p);
	CHECK_INT(prof_nstacks(p), 1);
	CHECK_INT(prof_stack(p, 0)->depth, 301);
	const uint32_t *fr = prof_stack_frames(p, prof_stack(p, 0));
	CHECK_STR(prof_frame_name(p, fr[1]), "i0");
	CHECK_STR(prof_frame_name(p, fr[300]), "i299_[i]");
	free(s);
	prof_free(p);

	/* a process name of 100 ';'-separated parts: 100 root frames */
	len = 0;
	for (int k = 0; k < 100; k++)
		len += (size_t)sprintf(t + len, "c%d;", k);
	len += (size_t)sprintf(t + len, "x 1 1.0: 1 cycles:\n\t10 f (/x)\n\n");
	s = convert('p', t, len, &o, &p);
	CHECK_INT(prof_stack(p, 0)->depth, 102);
	free(s);
	prof_free(p);

	/* bpftrace: two 5 KB names that differ at the end stay two frames, with and without
	 * --kernel (which appends _[k] to a kernel frame) */
	for (int kern = 0; kern < 2; kern++) {
		o.kernel = kern;
		len = 0;
		for (int k = 0; k < 2; k++) {
			len += (size_t)sprintf(t + len, "@[\n    ns::f<");
			memset(t + len, 'x', 5000);
			len += 5000;
			len += (size_t)sprintf(t + len, "%c>+12\n    entry_SYSCALL_64+5\n]: %d\n",
					       'A' + k, k + 1);
		}
		s = convert('b', t, len, &o, &p);
		CHECK_INT(prof_nstacks(p), 2);
		CHECK_INT(prof_frame_len(p, prof_stack_frames(p, prof_stack(p, 0))[1]),
			  5000 + 8 + (kern ? 4 : 0));
		free(s);
		prof_free(p);
	}
	o.kernel = false;

	/* a key of ten stack keys (more than any fixed table): read, not an error */
	len = (size_t)sprintf(t, "@[");
	for (int k = 0; k < 10; k++)
		len += (size_t)sprintf(t + len, "%s\n    f%d+1\n", k ? "," : "", k);
	len += (size_t)sprintf(t + len, "]: 7\n");
	s = convert('b', t, len, &o, &p);
	CHECK_INT(prof_nstacks(p), 1);
	CHECK_INT(prof_stack(p, 0)->depth, 10);
	free(s);
	prof_free(p);
	free(t);
}

/* prof_sorted: the order of the folded text "f0;f1;..." compared bytewise, whatever the
 * names (one a prefix of another, followed by characters below and above ';'), checked
 * against the joined strings on random stacks: few (runs of two) and many, the empty stack
 * among them, and stacks that all share their first frames (passed over in one run) */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_sorted_order(size_t nstacks, size_t shared, unsigned seed)
{
	static const char *names[] = { "a", "ab", "a:x", "a b", "a(", "b", "a:", "ab:c", "abc",
				       "\xc3\xa9", "a\xc3\xa9", "~", "!" };
	const size_t nn = sizeof(names) / sizeof(names[0]);
	struct profile *p = prof_new();
	char **texts = calloc(nstacks, sizeof(char *));
	size_t added = 0;
	for (size_t i = 0; i < nstacks; i++) {
		uint32_t ids[12];
		char buf[128];
		size_t depth = shared + (seed = seed * 1103515245 + 12345) % 7, len = 0;
		buf[0] = '\0';
		for (size_t d = 0; d < depth; d++) {
			seed = seed * 1103515245 + 12345;
			/* the shared frames: "a;ab;a;ab..." */
			const char *nm = d < shared ? names[d % 2] : names[(seed >> 8) % nn];
			ids[d] = (uint32_t)prof_intern(p, nm, strlen(nm));
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", d ? ";" : "", nm);
		}
		size_t before = prof_nstacks(p);
		CHECK(prof_add(p, ids, depth, 1) == 0);
		if (prof_nstacks(p) > before)
			texts[added++] = strdup(buf);
	}
	uint32_t *order = prof_sorted(p);
	CHECK(order != NULL && added == prof_nstacks(p));
	qsort(texts, added, sizeof(char *), cmp_str);
	size_t bad = 0;
	for (size_t i = 0; order && i < added; i++) {
		const struct prof_stack *st = prof_stack(p, order[i]);
		const uint32_t *f = prof_stack_frames(p, st);
		char buf[128];
		size_t len = 0;
		buf[0] = '\0';
		for (size_t d = 0; d < st->depth; d++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", d ? ";" : "",
						prof_frame_name(p, f[d]));
		if (strcmp(buf, texts[i]) && !bad++)
			fprintf(stderr, "%zu stacks, %zu shared: sorted[%zu] = %s, want %s\n",
				nstacks, shared, i, buf, texts[i]);
	}
	CHECK(bad == 0);
	free(order);
	for (size_t i = 0; i < added; i++)
		free(texts[i]);
	free(texts);
	prof_free(p);
}

static void test_sorted_order(void)
{
	static const size_t counts[] = { 2, 3, 5, 400, 3000 };
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
		for (size_t shared = 0; shared <= 4; shared += 2)
			for (unsigned seed = 1; seed <= 20; seed++)
				check_sorted_order(counts[c], shared, seed * 7919 + (unsigned)c);
}

/* A big folded file is read by two threads (fold_read_file): the same profile as one
 * reader, bad lines reported with their own line numbers in both halves, and a flame chart's
 * time order kept */
static void test_parallel_read(void)
{
	char path[] = "/tmp/scorch-test-bigXXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	FILE *f = fdopen(fd, "w");
	size_t lines = 0, bad1 = 0, bad2 = 0;
	while (ftell(f) < (long)(20u << 20)) {	/* past the 16 MiB threshold */
		lines++;
		if (lines == 1000)
			bad1 = lines, fputs("no count here\n", f);
		else if (lines > 1000 && !bad2 && ftell(f) > (long)(15u << 20))
			bad2 = lines, fputs("main;bad x\n", f);
		else
			fprintf(f, "main;work_%zu;leaf_%zu %zu\n", lines % 997, lines % 13, lines % 7 + 1);
	}
	fclose(f);
	struct stat st;
	CHECK(stat(path, &st) == 0 && st.st_size >= (16 << 20));
	/* the reference: one reader over the same bytes */
	char *data = malloc((size_t)st.st_size);
	FILE *g = fopen(path, "r");
	CHECK(data && g && fread(data, 1, (size_t)st.st_size, g) == (size_t)st.st_size);
	fclose(g);
	for (int chart = 0; chart < 2; chart++) {
		struct profile *a = prof_new(), *b = prof_new();
		if (chart) {
			prof_keep_order(a);
			prof_keep_order(b);
		}
		struct line_reader *lr;
		CHECK_INT(lr_open_mem(&lr, data, (size_t)st.st_size, path), 0);
		CHECK_INT(fold_read(a, lr), 0);
		lr_close(lr);
		CHECK_INT(collapse_file(b, path, FMT_FOLDED, NULL), 0);
		char *x = fold_to_string(a), *y = fold_to_string(b);
		CHECK(x && y && !strcmp(x, y));
		free(x);
		free(y);
		CHECK_INT(prof_diag_count(b), 2);
		CHECK_INT(prof_diag_count(a), 2);
		char want1[128], want2[128];
		snprintf(want1, sizeof(want1), "%s:%zu", path, bad1);
		snprintf(want2, sizeof(want2), "%s:%zu", path, bad2);
		CHECK(prof_diag_kept(b) == 2 && !strcmp(prof_diag_get(b, 0)->where, want1) &&
		      !strcmp(prof_diag_get(b, 1)->where, want2));
		if (chart) {	/* the time order: the same sequence */
			size_t na, nb;
			const struct prof_seq *sa = prof_sequence(a, &na), *sb = prof_sequence(b, &nb);
			CHECK(na == nb && na > 100000);
			size_t diff = 0;
			for (size_t i = 0; i < na && i < nb; i++) {
				const struct prof_stack *p1 = prof_stack(a, sa[i].stack), *p2 = prof_stack(b, sb[i].stack);
				if (p1->depth != p2->depth || sa[i].count != sb[i].count ||
				    strcmp(prof_frame_name(a, prof_stack_frames(a, p1)[p1->depth - 1]),
					   prof_frame_name(b, prof_stack_frames(b, p2)[p2->depth - 1])))
					diff++;
			}
			CHECK_INT(diff, 0);
		}
		prof_free(a);
		prof_free(b);
	}
	free(data);
	unlink(path);
}

/* prof_intern_many: the ids and names n prof_intern calls give, in batches past its own
 * (16), names repeated within a batch (the second finds the first), names the sanitizer
 * changes (';', control characters, invalid UTF-8) mixed with clean ones, the empty name */
static void test_intern_many(void)
{
	static const char *pool[] = { "main", "a;b", "tab\there", "\xff\xfe", "caf\xc3\xa9", "",
				      "std::vector<int>::push_back(int const&)", "x", "main",
				      "\x7f", "y" };
	const size_t np = sizeof(pool) / sizeof(pool[0]);
	struct profile *one = prof_new(), *many = prof_new();
	unsigned seed = 99;
	for (size_t round = 0; round < 50; round++) {
		struct prof_name names[40];
		uint32_t ids[40];
		size_t n = 1 + (seed = seed * 1103515245 + 12345) % 40;
		char buf[40][32];
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			const char *nm = pool[(seed >> 8) % np];
			/* new names each round too, so the tables grow inside a batch */
			size_t len = (size_t)snprintf(buf[i], sizeof(buf[i]), "%s%u", nm,
						      (seed >> 20) % 3 ? 0u : (unsigned)round);
			names[i] = (struct prof_name){ buf[i], len };
		}
		CHECK(prof_intern_many(many, names, n, ids) == 0);
		for (size_t i = 0; i < n; i++) {
			int64_t id = prof_intern(one, names[i].s, names[i].len);
			CHECK(id >= 0 && (uint32_t)id == ids[i]);
		}
	}
	CHECK(prof_nframes(one) == prof_nframes(many) && prof_nframes(one) > 100);
	for (size_t i = 0; i < prof_nframes(one); i++)
		CHECK(!strcmp(prof_frame_name(one, (uint32_t)i), prof_frame_name(many, (uint32_t)i)));
	size_t sanitized = 0;	/* "a;b" became "a:b", "\xff\xfe" two U+FFFD */
	for (size_t i = 0; i < prof_nframes(many); i++)
		sanitized += !strncmp(prof_frame_name(many, (uint32_t)i), "a:b", 3) ||
			     !strncmp(prof_frame_name(many, (uint32_t)i), "\xef\xbf\xbd\xef\xbf\xbd", 6);
	CHECK(sanitized > 10);
	prof_free(one);
	prof_free(many);
}

/* ascii_printable_span (lib/utf8.h): the first byte it must stop at, at every position of
 * the 8-byte words and the tail after them */
static void test_printable_span(void)
{
	static const unsigned char bad[] = { 0x00, 0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xff };
	char buf[40];
	size_t wrong = 0;
	for (size_t n = 0; n <= 33; n++)
		for (size_t at = 0; at <= n; at++)
			for (size_t b = 0; b <= sizeof(bad); b++) {
				/* printable bytes around it: ' ', '~' and ':' (next to ';') too */
				for (size_t i = 0; i < n; i++)
					buf[i] = " ~:a<"[i % 5];
				char c = b < sizeof(bad) ? (char)bad[b] : ';';
				if (at < n)
					buf[at] = c;
				size_t want = at < n ? at : n;
				wrong += ascii_printable_span(buf, n, ';') != want;
				/* without a stop byte, ';' is printable */
				wrong += ascii_printable_span(buf, n, 0) != (c == ';' ? n : want);
			}
	CHECK(wrong == 0);
}

int main(void)
{
	test_printable_span();
	test_intern_many();
	test_sorted_order();
	test_parallel_read();
	test_converter_counts();
	test_converter_limits();
	test_perf_long_names();
	test_sanitize();
	test_intern();
	test_fold_roundtrip();
	test_perl_count_rules();
	test_differential();
	test_merge();
	test_big_counts();
	test_atomic_out();
	test_detect();
	CHECK_DONE();
}
