/* UTF-8 and JSON text shared by every stage that writes text from outside (frame names, file
 * names): one decoder, one printable-ASCII scan, one JSON string writer. No stage includes
 * are needed. */
#ifndef SCORCH_LIB_UTF8_H
#define SCORCH_LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s[0..n) and its code point, or 0 when it is
 * invalid (a stray byte, an overlong form, a surrogate, past U+10FFFF, or cut short). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* How many bytes s[0..n) starts with that are printable ASCII (0x20 to 0x7e) other than
 * stop (0: none): text that needs no decoding, eight bytes at a time. */
static inline size_t ascii_printable_span(const char *s, size_t n, char stop)
{
	/* a byte b is flagged when b >= 0x80, b == 0x7f, b < 0x20 or b == stop (the classic
	 * has-less and has-zero tests; no carry crosses bytes that are all below 0x80) */
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		uint64_t st = x ^ (ones * (unsigned char)stop);
		if ((x & highs) | ((x + ones) & highs) | ((x - ones * 0x20) & ~x & highs) |
		    ((st - ones) & ~st & highs))
			break;
	}
	while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f &&
	       (!stop || s[i] != stop))
		i++;
	return i;
}

/* Writes s[0..n) as a JSON string, quotes included: '"' and '\' escaped, control characters,
 * U+2028 and U+2029 as \uXXXX (valid inside a JavaScript literal too), invalid UTF-8 as
 * \ufffd. With html_safe, '<', '>' and '&' are escaped too (text inside <script>). */
void json_string(FILE *f, const char *s, size_t n, bool html_safe);

#endif
