/* Character classes and hex numbers, once for every parser (perf script, folded, bpftrace,
 * kallsyms). */
#ifndef SCORCH_LIB_CHARS_H
#define SCORCH_LIB_CHARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool ch_space(char c)	/* Perl's \s */
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool ch_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* a hex digit's value, or -1 */
static inline int ch_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* The hex number at the start of s[0..n): its first 16 digits make the value; *used (may be
 * NULL) is how many hex digits there are. */
static inline uint64_t ch_parse_hex(const char *s, size_t n, size_t *used)
{
	uint64_t v = 0;
	size_t i = 0;
	for (int d; i < n && (d = ch_hex(s[i])) >= 0; i++)
		if (i < 16)
			v = v * 16 + (uint64_t)d;
	if (used)
		*used = i;
	return v;
}

#endif
