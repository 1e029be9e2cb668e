/* Text helpers shared by the SVG and cairo writers. Private to render/. */
#ifndef SCORCH_TEXT_H
#define SCORCH_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Copies in[0..n) to out as valid UTF-8 without control characters (each invalid byte or
 * control character becomes U+FFFD); stops before overflowing cap (cap >= 4). Returns bytes
 * written; *chars receives the number of characters. */
size_t text_sanitize(const char *in, size_t n, char *out, size_t cap, size_t *chars);
/* s[0..len) sanitized into a new NUL-terminated string (caller frees; NULL on ENOMEM), its
 * length in *out_len if given: room for the worst case (3 bytes a byte) is made once, here. */
char *text_sanitized(const char *s, size_t len, size_t *out_len);
/* Bytes of the first `chars` characters of valid UTF-8 s. */
size_t text_prefix_bytes(const char *s, size_t n, size_t chars);
/* flamegraph.pl's label: the name when it fits in max_chars, else its first max_chars - 2
 * characters and "..", or nothing under 3. out needs n + 2 bytes. Returns its length. */
size_t text_label(const char *name, size_t n, size_t name_chars, size_t max_chars, char *out);
/* Writes s escaped for XML text and attribute values (& < > " '). s must be sanitized. */
void text_xml(FILE *f, const char *s, size_t n);
/* The same for element content (titles, labels): only what XML requires there is escaped
 * ('&', '<', and '>' in "]]>"), which keeps C++ names short. */
void text_xml_content(FILE *f, const char *s, size_t n);
/* Sanitizes and escapes a NUL-terminated string (titles, options); cut at 1 KiB. */
void text_xml_str(FILE *f, const char *s);
/* "%.0f" with thousands separators, as flamegraph.pl prints sample counts. */
/* room for any double printed "%.0f" (up to 309 digits), its thousands separators and sign */
#define TEXT_NUM_MAX 448
size_t text_commas(double v, char *out /* TEXT_NUM_MAX bytes */);
/* A coordinate with at most one decimal, no trailing ".0". */
size_t text_num(double v, char *out);

#endif
