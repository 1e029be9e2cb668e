/* Text helpers of the renderers: frame names made safe for XML (invalid UTF-8 and control
 * characters become U+FFFD, markup characters are escaped), flamegraph.pl's label truncation
 * by characters, and its number formats (1,234 samples, 5.67%). */
#include "text.h"

#include <stdio.h>
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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return len;
}

size_t text_sanitize(const char *in, size_t n, char *out, size_t cap, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, count = 0, i = 0;
	while (i < n && o + 4 <= cap) {
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

void text_xml_str(FILE *f, const char *s)
{
	char buf[1024];
	size_t n = text_sanitize(s, strlen(s), buf, sizeof(buf), NULL);
	text_xml(f, buf, n);
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
