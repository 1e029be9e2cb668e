/* Input format detection and the one entry point the CLI uses to fold a file of any supported
 * format into a profile. */
#include "collapse.h"
#include "chars.h"
#include "pprof.h"

#include <errno.h>
#include <string.h>

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}


/* whether s[0..n) ends with whitespace and a count (digits, maybe a point), and whether a
 * ':' stands right before that whitespace */
static bool ends_with_count(const char *s, size_t n, bool *colon)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	size_t d = n;
	while (d > 0 && ((s[d - 1] >= '0' && s[d - 1] <= '9') || s[d - 1] == '.'))
		d--;
	if (d == n || d == 0 || (s[d - 1] != ' ' && s[d - 1] != '\t'))
		return false;
	*colon = d >= 2 && s[d - 2] == ':';
	return true;
}

enum input_format collapse_detect(const char *data, size_t len)
{
	size_t pos = 0, lines = 0;
	while (pos < len && lines < 2000) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *s = data + pos;
		size_t n = end - pos;
		lines++;
		/* bpftrace: its banner, a one-line entry `@name[key]: N` / `@name: N`, or an entry
		 * that opens a multi-line key (`@[`, no count at its end). A folded line whose first
		 * frame starts with '@' ends with a count not after a ':' (`@plt;f 3`). */
		if (starts_with(s, n, "Attaching "))
			return FMT_BPFTRACE;
		if (starts_with(s, n, "@")) {
			bool colon;
			if (!ends_with_count(s, n, &colon) || colon)
				return FMT_BPFTRACE;
		}
		/* perf script: a frame line `[ws]ADDR sym (module)`, indented or not (old perf
		 * versions print frames flush left); folded lines end with a count instead */
		size_t e = n;
		while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\r'))
			e--;
		if (e > 4 && s[e - 1] == ')') {
			size_t i = 0;
			while (i < e && (s[i] == ' ' || s[i] == '\t'))
				i++;
			size_t h = i;
			while (h < e && ch_hex(s[h]) >= 0)
				h++;
			if (h > i && h < e && s[h] == ' ' && memmem(s + h, e - h, " (", 2))
				return FMT_PERF;
		}
		pos = end + 1;
	}
	return FMT_FOLDED;
}

const char *collapse_format_name(enum input_format fmt)
{
	switch (fmt) {
	case FMT_FOLDED: return "folded";
	case FMT_PERF: return "perf";
	case FMT_BPFTRACE: return "bpftrace";
	case FMT_PPROF: return "pprof";
	default: return "auto";
	}
}

int collapse_format_parse(const char *name, enum input_format *out)
{
	static const struct { const char *name; enum input_format fmt; } names[] = {
		{ "auto", FMT_AUTO }, { "folded", FMT_FOLDED }, { "perf", FMT_PERF },
		{ "perf-script", FMT_PERF }, { "bpftrace", FMT_BPFTRACE }, { "pprof", FMT_PPROF },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i].name)) {
			*out = names[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

#define PEEK_MAX (256 * 1024)	/* what format detection looks at */

int collapse_file(struct profile *p, const char *path, enum input_format fmt,
		  const struct collapse_opts *o)
{
	static const struct collapse_opts defaults;
	struct line_reader *lr = NULL;
	int err = lr_open(&lr, path);
	if (err) {
		prof_set_error(p, "%s: %s", path && strcmp(path, "-") ? path : "<stdin>",
			       err == -ESPIPE ? "gzip input must be a file, not a pipe"
					      : strerror(-err));
		return err;
	}
	if (!o)
		o = &defaults;
	if (fmt == FMT_AUTO || fmt == FMT_FOLDED) {	/* binary pprof is never folded text */
		const char *data;
		long n = lr_peek(lr, &data, PEEK_MAX);
		if (n < 0) {
			err = (int)n;
			prof_set_error(p, "%s: %s", lr_name(lr), strerror(-err));
			goto out;
		}
		fmt = pprof_detect(data, (size_t)n, n == PEEK_MAX) ? FMT_PPROF
		      : fmt == FMT_AUTO		     ? collapse_detect(data, (size_t)n) : fmt;
	}
	switch (fmt) {
	case FMT_PPROF: {
		const char *data;
		size_t len;
		err = lr_slurp(lr, &data, &len);
		if (!err)
			err = pprof_read(p, data, len, lr_name(lr), o->sample_type);
		break;
	}
	case FMT_PERF:
		err = perf_collapse(p, lr, o);
		break;
	case FMT_BPFTRACE:
		err = bt_collapse(p, lr, o);
		break;
	default:
		err = fold_read_file(p, lr);
		break;
	}
	if (err && !prof_error(p))
		prof_set_error(p, "%s: %s", lr_name(lr), strerror(-err));
out:
	lr_close(lr);
	return err;
}
