/* Text helpers of the renderers: frame names made safe for XML (invalid UTF-8 and control
 * characters become U+FFFD, markup characters are escaped), flamegraph.pl's label truncation
 * by characters, and its number formats (1,234 samples, 5.67%). */
#include "text.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* one thread writes: no stdio locking on the hot path */
#define fputs fputs_unlocked
#define fwrite fwrite_unlocked

static size_t put_replacement(char *out)
{
	out[0] = (char)0xEF;
	out[1] = (char)0xBF;
	out[2] = (char)0xBD;
	return 3;
}

/* Length of the UTF-8 sequence at s (1-4) that XML can carry, or 0: invalid, or one of the
 * noncharacters U+FFFE and U+FFFF, which XML 1.0 forbids. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp = 0;
	size_t len = utf8_decode(s, n, &cp);
	return cp == 0xFFFE || cp == 0xFFFF ? 0 : len;
}

size_t text_sanitize(const char *in, size_t n, char *out, size_t cap, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, count = 0, i = 0;
	while (i < n && o + 4 <= cap) {
		/* a run of printable ASCII (nearly every name) goes in one copy */
		size_t run = ascii_printable_span(in + i, n - i < cap - o - 4 ? n - i : cap - o - 4, 0);
		if (run) {
			memcpy(out + o, s + i, run);
			o += run;
			i += run;
			count += run;
			continue;
		}
		size_t l = utf8_seq(s + i, n - i);
		if (l == 0 || (l == 1 && (s[i] < 0x20 || s[i] == 0x7F))) {
			o += put_replacement(out + o);
			i += l ? l : 1;
		} else {
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
		}
		count++;
	}
	if (chars)
		*chars = count;
	return o;
}

size_t text_prefix_bytes(const char *s, size_t n, size_t chars)
{
	size_t i = 0;
	while (i < n && chars) {
		unsigned char c = (unsigned char)s[i];
		i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		chars--;
	}
	return i < n ? i : n;
}

size_t text_label(const char *name, size_t n, size_t name_chars, size_t max_chars, char *out)
{
	/* flamegraph.pl: substr(name, 0, chars), the last two replaced by ".." when cut */
	if (max_chars < 3)
		return 0;
	if (max_chars >= name_chars) {
		memcpy(out, name, n);
		return n;
	}
	size_t keep = text_prefix_bytes(name, n, max_chars - 2);
	memcpy(out, name, keep);
	out[keep] = '.';
	out[keep + 1] = '.';
	return keep + 2;
}

void text_xml(FILE *f, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default: continue;
		}
		fwrite(s + start, 1, i - start, f);
		fputs(rep, f);
		start = i + 1;
	}
	fwrite(s + start, 1, n - start, f);
}

void text_xml_content(FILE *f, const char *s, size_t n)
{
	/* in element content only '&' and '<' must be escaped, and '>' after "]]" */
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		if (s[i] == '&')
			rep = "&amp;";
		else if (s[i] == '<')
			rep = "&lt;";
		else if (s[i] == '>' && i >= 2 && s[i - 1] == ']' && s[i - 2] == ']')
			rep = "&gt;";
		else
			continue;
		fwrite(s + start, 1, i - start, f);
		fputs(rep, f);
		start = i + 1;
	}
	fwrite(s + start, 1, n - start, f);
}

char *text_sanitized(const char *s, size_t len, size_t *out_len)
{
	char *out = malloc(len * 3 + 4);	/* at most 3 bytes (U+FFFD) per input byte */
	if (out) {
		size_t n = text_sanitize(s, len, out, len * 3 + 4, NULL);
		out[n] = '\0';
		if (out_len)
			*out_len = n;
	}
	return out;
}

void text_xml_str(FILE *f, const char *s)
{
	size_t n;
	char *buf = text_sanitized(s, strlen(s), &n);
	if (!buf)
		return;
	text_xml(f, buf, n);
	free(buf);
}

size_t text_commas(double v, char *out)
{
	char digits[TEXT_NUM_MAX];
	int n = snprintf(digits, sizeof(digits), "%.0f", v);
	if (n < 0 || n >= (int)sizeof(digits))	/* inf and nan are short: cannot happen */
		n = 0;
	size_t o = 0;
	int start = 0;
	if (digits[0] == '-' || digits[0] == '+')
		out[o++] = digits[start++];
	int len = n - start;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[start + i];
	}
	out[o] = '\0';
	return o;
}

size_t text_num(double v, char *out)
{
	/* one decimal, without a trailing ".0": short and exact enough for pixels; written by
	 * hand because printf was a tenth of the time of rendering a big profile */
	if (!(v > -1e15 && v < 1e15))	/* NaN and the absurd (fuzz_render): no UB below */
		v = v != v ? 0 : v > 0 ? 1e15 : -1e15;
	long long t = (long long)(v * 10 + (v >= 0 ? 0.5 : -0.5));
	size_t n = 0;
	if (t < 0) {
		out[n++] = '-';
		t = -t;
	}
	char digits[24];
	size_t d = 0;
	unsigned long long whole = (unsigned long long)t / 10;
	do {
		digits[d++] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole);
	while (d)
		out[n++] = digits[--d];
	if (t % 10) {
		out[n++] = '.';
		out[n++] = (char)('0' + t % 10);
	}
	out[n] = '\0';
	return n;
}
