/* A growable byte buffer and its unsigned LEB128 varint (protobuf's varint), shared by the
 * pprof writer and the SVG's tree data. A failed growth sets oom and drops every later write,
 * so a writer checks once at the end. */
#ifndef SCORCH_LIB_BYTEBUF_H
#define SCORCH_LIB_BYTEBUF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

struct bytebuf {
	uint8_t *v;
	size_t len, cap;
	bool oom;
};

static inline void bytebuf_put(struct bytebuf *b, const void *data, size_t n)
{
	if (b->oom || vec_grow((void **)&b->v, &b->cap, b->len + n, 1, 4096)) {
		b->oom = true;
		return;
	}
	if (n)
		memcpy(b->v + b->len, data, n);
	b->len += n;
}

static inline void bytebuf_uv(struct bytebuf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	bytebuf_put(b, tmp, n);
}

#endif
