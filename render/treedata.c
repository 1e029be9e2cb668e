/* The SVG's scorchTree: the whole flame tree for the script, the frames too narrow to draw
 * included, so a search's "Matched" counts every sample. One zlib stream, base64 in a string:
 * `var scorchTree=[RAWLEN,"..."];`. Inside (uv: unsigned LEB128):
 *   u8 version 1; uv nnames; uv textlen; the names' rests, UTF-8, joined by NUL; nnames x uv
 *   the prefix each shares with the name before, in UTF-16 units as JavaScript counts (names
 *   sorted); uv flags (1: selves are float64 LE, 2: a data section follows); uv nnodes (the
 *   nodes after the root, preorder); per node uv (previous depth + 1 - depth) * 2 + pruned;
 *   per pruned node uv its name's index; per pruned node its self width (uv, or float64 with
 *   flag 1); with flag 1, per drawn node its width (float64: its tooltip rounds it); with
 *   flag 2: uv length, the --compact frames' data (JSON text).
 * The names are the display names (annotation off, sanitized) of every frame of the profile.
 * They are sanitized, sorted and compressed by a thread while the tree is built. */
#include "svg.h"
#include "bytebuf.h"
#include "hash.h"
#include "text.h"
#include "utf8.h"
#include "vec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <zlib.h>

#define fputs fputs_unlocked

/* a display name: the profile's own bytes when the sanitizer leaves them as they are, else
 * a copy made by build_names */
struct name_ref {
	const char *s;
	size_t len;
};

/* The name sort: most significant bytes first, 8 at a time. A record holds the next 8 bytes
 * of its name (big-endian, zeros past its end: names hold no NUL), so a run of names that
 * share a prefix is sorted by integers, each name read once a level; the bytes adjacent
 * names share come out of it for the front coding. */
struct srec {
	uint64_t key;
	uint32_t id, pad;
};

#define NAMES_AHEAD 16	/* names a loop over sorted records fetches ahead */

static void prefetch_at(const struct name_ref *n, size_t off)	/* byte off of n, or its end */
{
	__builtin_prefetch(n->s + (off < n->len ? off : n->len));
}

static uint64_t key_at(const struct name_ref *n, size_t off)
{
	unsigned char b[8] = { 0 };
	if (off < n->len)
		memcpy(b, n->s + off, n->len - off < 8 ? n->len - off : 8);
	uint64_t k = 0;
	for (int i = 0; i < 8; i++)
		k = k << 8 | b[i];
	return k;
}

static bool key_ends(uint64_t k)	/* a zero byte: the name ended within these 8 */
{
	return ((k - 0x0101010101010101ull) & ~k & 0x8080808080808080ull) != 0;
}

/* Sorts r[0..n) by key: a quicksort that splits three ways (names share prefixes, so keys
 * repeat) around a pivot drawn at random (the hash key seeds it: crafted names cannot make
 * it quadratic), insertion below 16 records; recursion on the smaller side only. */
static void sort_keys(struct srec *r, size_t n, uint64_t *rng)
{
	while (n > 16) {
		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		uint64_t pivot = r[*rng % n].key;
		size_t lt = 0, i = 0, gt = n;
		while (i < gt) {
			struct srec x = r[i];
			if (x.key < pivot) {
				r[i++] = r[lt];
				r[lt++] = x;
			} else if (x.key > pivot) {
				r[i] = r[--gt];
				r[gt] = x;
			} else {
				i++;
			}
		}
		if (lt < n - gt) {
			sort_keys(r, lt, rng);
			r += gt;
			n -= gt;
		} else {
			sort_keys(r + gt, n - gt, rng);
			n = lt;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct srec x = r[i];
		size_t j = i;
		for (; j && r[j - 1].key > x.key; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Sorts r[0..n), names that share their first off bytes; lcp[i] (0 < i < n) receives the
 * bytes the name of r[i] shares with the one before. Recursion only where a run splits. */
static void msd_sort(struct srec *r, size_t n, size_t off, const struct name_ref *nm,
		     size_t *lcp, uint64_t *rng)
{
	if (n < 2)
		return;
	/* the bytes all the names share past off, in one pass over them (names share long
	 * prefixes: a pass per 8 bytes would read each name again and again) */
	const struct name_ref *a = &nm[r[0].id];
	size_t common = a->len > off ? a->len - off : 0;
	for (size_t i = 1; i < n && common; i++) {
		if (i + NAMES_AHEAD < n)
			prefetch_at(&nm[r[i + NAMES_AHEAD].id], off);
		const struct name_ref *b = &nm[r[i].id];
		size_t lim = b->len > off ? b->len - off : 0, c = 0;
		if (lim > common)
			lim = common;
		for (uint64_t x, y; c + 8 <= lim; c += 8) {
			memcpy(&x, a->s + off + c, 8);
			memcpy(&y, b->s + off + c, 8);
			if (x != y)
				break;
		}
		while (c < lim && a->s[off + c] == b->s[off + c])
			c++;
		common = c;
	}
	off += common;
	for (;;) {
		bool same = true;
		for (size_t i = 0; i < n; i++) {
			/* names are scattered over the profile's memory: fetched ahead */
			if (i + 2 * NAMES_AHEAD < n)
				__builtin_prefetch(&nm[r[i + 2 * NAMES_AHEAD].id]);
			if (i + NAMES_AHEAD < n)
				prefetch_at(&nm[r[i + NAMES_AHEAD].id], off);
			r[i].key = key_at(&nm[r[i].id], off);
			same = same && r[i].key == r[0].key;
		}
		if (!same)
			break;
		if (key_ends(r[0].key)) {	/* the same name n times */
			for (size_t i = 1; i < n; i++)
				lcp[i] = nm[r[i].id].len;
			return;
		}
		off += 8;
	}
	sort_keys(r, n, rng);
	for (size_t i = 1; i < n; i++)	/* before the runs below overwrite their keys */
		if (r[i].key != r[i - 1].key)
			lcp[i] = off + (size_t)__builtin_clzll(r[i].key ^ r[i - 1].key) / 8;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && r[j].key == r[i].key)
			j++;
		msd_sort(r + i, j - i, off + 8, nm, lcp + i, rng);	/* equal names end it at once */
		i = j;
	}
}

/* One piece of the zlib stream: raw deflate of in, ending on a byte boundary (a sync flush)
 * so that pieces compressed apart, one after the other, make one stream; the last finishes
 * it. Pieces are independent, so threads compress them at once. */
struct piece {
	const unsigned char *in;
	size_t len;
	int level;
	bool last;
	unsigned char *out;
	size_t out_len;
	int err;
};

static void *piece_run(void *arg)
{
	struct piece *pc = arg;
	z_stream z = { 0 };
	if (deflateInit2(&z, pc->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		pc->err = -ENOMEM;
		return NULL;
	}
	size_t cap = deflateBound(&z, pc->len) + 16;
	if (!(pc->out = malloc(cap))) {
		pc->err = -ENOMEM;
		goto out;
	}
	z.next_in = (unsigned char *)pc->in;
	z.next_out = pc->out;
	/* avail_in and avail_out are uInts: in steps, until every byte is in and, for the last
	 * step, the flush is done */
	for (size_t left = pc->len;;) {
		size_t step = left < (1u << 30) ? left : (1u << 30);
		size_t room = cap - (size_t)(z.next_out - pc->out);
		z.avail_in = (uInt)step;
		z.avail_out = (uInt)(room < (1u << 30) ? room : (1u << 30));
		left -= step;
		int flush = left ? Z_NO_FLUSH : pc->last ? Z_FINISH : Z_SYNC_FLUSH;
		int r = deflate(&z, flush);
		left += z.avail_in;	/* what did not go in this time */
		if (r == Z_STREAM_END)
			break;
		if (r != Z_OK && r != Z_BUF_ERROR) {
			pc->err = -EIO;
			goto out;
		}
		if (!left && flush == Z_SYNC_FLUSH && z.avail_out)	/* flushed, all in */
			break;
		if (!z.avail_out && (size_t)(z.next_out - pc->out) >= cap) {	/* past deflateBound */
			pc->err = -EIO;
			goto out;
		}
	}
	pc->out_len = (size_t)(z.next_out - pc->out);
out:
	deflateEnd(&z);
	return NULL;
}

/* Compresses td->raw as the stream's next piece (last: its end), in two halves at once when
 * there is much of it; empties raw. */
static void deflate_buf(struct tree_data *td, bool last)
{
	if (td->err || td->raw.oom)
		return;
	size_t half = td->raw.len >= (1u << 20) ? td->raw.len / 2 : 0;
	struct piece pc[2] = {
		{ .in = td->raw.v, .len = half, .level = td->level },
		{ .in = td->raw.v + half, .len = td->raw.len - half, .level = td->level, .last = last },
	};
	pthread_t th;
	bool threaded = half && !pthread_create(&th, NULL, piece_run, &pc[0]);
	if (half && !threaded)
		piece_run(&pc[0]);
	piece_run(&pc[1]);
	if (threaded)
		pthread_join(th, NULL);
	for (int k = 0; k < 2; k++) {
		if (pc[k].err && !td->err)
			td->err = pc[k].err;
		bytebuf_put(&td->z, pc[k].out, pc[k].out_len);
		free(pc[k].out);
	}
	td->adler = adler32_z(td->adler, td->raw.v, td->raw.len);
	td->raw_len += td->raw.len;
	td->raw.len = 0;
}

/* UTF-16 units of valid UTF-8 s[0..n), as JavaScript counts a string's length */
static size_t utf16_units(const char *s, size_t n)
{
	size_t u = 0, i = 0;
	for (uint64_t w; i + 8 <= n; i += 8, u += 8) {	/* ASCII: a unit a byte */
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	for (; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if ((b & 0xC0) != 0x80)
			u += b >= 0xF0 ? 2 : 1;	/* past the BMP: a surrogate pair */
	}
	return u;
}

/* Every frame's display name (annotation off, sanitized), sorted, into td->index; the names
 * section. */
static void build_names(struct tree_data *td)
{
	const struct profile *p = td->prof;
	struct flame_tree t = { .prof = p };
	size_t nf = prof_nframes(p), cap_scratch = 0, text = 0;
	struct name_ref *nm = NULL;
	struct bytebuf copies = { 0 };	/* the names the sanitizer changed */
	size_t *pre = NULL, *units = NULL, *lcp = NULL;
	struct srec *recs = NULL;
	char *scratch = NULL;
	size_t sz = nf ? nf : 1;
	if (!(td->index = calloc(nf + 1, sizeof(uint32_t))) || !(nm = malloc(sz * sizeof(*nm))) ||
	    !(pre = malloc(sz * sizeof(size_t))) || !(units = malloc(sz * sizeof(size_t))) ||
	    !(recs = malloc(sz * sizeof(*recs))) || !(lcp = calloc(sz, sizeof(size_t))))
		goto nomem;
	for (uint32_t id = 0; id < nf; id++) {
		struct flame_node nd = { .name = id };
		size_t len;
		const char *s = flame_name(&t, &nd, &len);
		nm[id].len = len;
		nm[id].s = s;
		if (ascii_printable_span(s, len, 0) == len)	/* nearly every name: as it is */
			continue;
		if (vec_grow((void **)&scratch, &cap_scratch, len * 3 + 4, 1, 4096))
			goto nomem;
		size_t l = text_sanitize(s, len, scratch, len * 3 + 4, NULL);
		nm[id].len = l;
		if (l == len && !memcmp(scratch, s, len)) {
			nm[id].s = s;
			continue;
		}
		/* a copy: its offset for now (the buffer may move), a pointer below */
		nm[id].s = NULL;
		pre[id] = copies.len;
		bytebuf_put(&copies, scratch, l);
	}
	if (copies.oom)
		goto nomem;
	for (size_t id = 0; id < nf; id++)
		if (!nm[id].s)
			nm[id].s = (const char *)copies.v + pre[id];
	for (size_t k = 0; k < nf; k++)
		recs[k] = (struct srec){ .id = (uint32_t)k };
	uint64_t rng = hash_key[0] | 1;	/* xorshift: never zero */
	msd_sort(recs, nf, 0, nm, lcp, &rng);
	/* the prefix shared with the name before, cut back to a character's start; frames
	 * whose display names are equal (they differ in the annotation) share the first sorted
	 * position of that text */
	for (size_t k = 0; k < nf; k++) {
		if (k + 2 * NAMES_AHEAD < nf)
			__builtin_prefetch(&nm[recs[k + 2 * NAMES_AHEAD].id]);
		if (k + NAMES_AHEAD < nf)
			prefetch_at(&nm[recs[k + NAMES_AHEAD].id], lcp[k + NAMES_AHEAD]);
		uint32_t id = recs[k].id;
		const struct name_ref *c = &nm[id];
		size_t q = k ? lcp[k] : 0;
		bool same = k && q == c->len && q == nm[recs[k - 1].id].len;
		td->index[id] = same ? td->index[recs[k - 1].id] : (uint32_t)k + 1;
		while (q > 0 && q < c->len && ((unsigned char)c->s[q] & 0xC0) == 0x80)
			q--;
		pre[k] = q;
		units[k] = utf16_units(c->s, q);
		text += c->len - q + (k + 1 < nf);
	}
	bytebuf_put(&td->raw, "\1", 1);
	bytebuf_uv(&td->raw, nf);
	bytebuf_uv(&td->raw, text);
	for (size_t k = 0; k < nf; k++) {
		const struct name_ref *c = &nm[recs[k].id];
		bytebuf_put(&td->raw, c->s + pre[k], c->len - pre[k]);
		if (k + 1 < nf)
			bytebuf_put(&td->raw, "", 1);	/* the NUL between names */
	}
	for (size_t k = 0; k < nf; k++)
		bytebuf_uv(&td->raw, units[k]);
	deflate_buf(td, false);
	goto out;
nomem:
	td->err = -ENOMEM;
out:
	free(nm);
	free(copies.v);
	free(pre);
	free(units);
	free(recs);
	free(lcp);
	free(scratch);
}

static void *names_run(void *arg)
{
	build_names(arg);
	return NULL;
}

int tree_data_start(struct tree_data *td, const struct profile *p, int level)
{
	memset(td, 0, sizeof(*td));
	td->prof = p;
	td->level = level;
	td->adler = adler32(0, NULL, 0);
	/* the zlib header: deflate, 32 KiB window, no dictionary (0x7801 is a multiple of 31) */
	bytebuf_put(&td->z, "\x78\x01", 2);
	if (td->z.oom)
		return -ENOMEM;
	if (pthread_create(&td->thread, NULL, names_run, td))
		build_names(td);	/* no thread: here, then */
	else
		td->running = true;
	return 0;
}

int tree_data_wait(struct tree_data *td)
{
	if (td->running) {
		pthread_join(td->thread, NULL);
		td->running = false;
	}
	return td->err;
}

void tree_data_free(struct tree_data *td)
{
	tree_data_wait(td);
	free(td->index);
	free(td->raw.v);
	free(td->z.v);
	memset(td, 0, sizeof(*td));
}

static void put_f64(struct tree_data *td, double v)
{
	unsigned char le[8];
	uint64_t u;
	memcpy(&u, &v, 8);
	for (int k = 0; k < 8; k++)
		le[k] = (unsigned char)(u >> (8 * k));
	bytebuf_put(&td->raw, le, 8);
}

static void put_nodes(struct tree_data *td, const struct flame_tree *t, bool floats)
{
	size_t nodes = (t->n ? t->n - 1 : 0) + t->nelided;
	/* room for every varint up front: the loops below never grow the buffer */
	if (vec_grow((void **)&td->raw.v, &td->raw.cap, td->raw.len + 10 + nodes * 6 +
		     t->nelided * 20, 1, 4096)) {
		td->raw.oom = true;
		return;
	}
	bytebuf_uv(&td->raw, nodes);
	uint32_t prev = 0;
	size_t e = 0;
	for (size_t i = 1; i <= t->n; i++) {
		for (; e < t->nelided && t->elided[e].next <= i; e++) {
			bytebuf_uv(&td->raw, ((uint64_t)prev + 1 - t->elided[e].depth) * 2 + 1);
			prev = t->elided[e].depth;
		}
		if (i < t->n) {
			bytebuf_uv(&td->raw, ((uint64_t)prev + 1 - t->nodes[i].depth) * 2);
			prev = t->nodes[i].depth;
		}
	}
	size_t nf = prof_nframes(t->prof);
	for (e = 0; e < t->nelided; e++) {
		uint32_t id = t->elided[e].name;
		bytebuf_uv(&td->raw, id < nf ? td->index[id] - 1 : 0);
	}
	for (e = 0; e < t->nelided; e++) {
		double v = t->elided[e].self;
		if (!floats) {
			bytebuf_uv(&td->raw, (uint64_t)v);
			continue;
		}
		put_f64(td, v);
	}
	for (size_t i = 0; floats && i < t->n; i++)	/* the drawn frames' exact widths */
		put_f64(td, t->nodes[i].etime - t->nodes[i].stime);
}

static void put_base64(FILE *f, const unsigned char *p, size_t n)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4096];
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		out[o++] = A[v >> 18];
		out[o++] = A[(v >> 12) & 63];
		out[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? A[v & 63] : '=';
		if (o + 4 > sizeof(out)) {
			fwrite_unlocked(out, 1, o, f);
			o = 0;
		}
	}
	fwrite_unlocked(out, 1, o, f);
}

/* the tree after the names (see the top), and the stream's end */
static void pack(struct tree_data *td)
{
	const struct flame_tree *t = td->tree;
	bool floats = false;
	/* whole widths as varints, unless a count is fractional or past 2^53 */
	for (size_t e = 0; e < t->nelided && !floats; e++) {
		double v = t->elided[e].self;
		floats = v != floor(v) || v > 9007199254740992.0;
	}
	/* and the drawn frames' exact widths when their tooltips, times --factor, round */
	for (size_t i = 0; i < t->n && !floats; i++) {
		double v = (t->nodes[i].etime - t->nodes[i].stime) * td->factor;
		floats = v != floor(v) || v > 9007199254740992.0;
	}
	bytebuf_uv(&td->raw, (floats ? 1 : 0) | (td->data ? 2 : 0));
	put_nodes(td, t, floats);
	if (td->data) {
		bytebuf_uv(&td->raw, td->data_len);
		bytebuf_put(&td->raw, td->data, td->data_len);
	}
	deflate_buf(td, true);
}

static void *pack_run(void *arg)
{
	pack(arg);
	return NULL;
}

int tree_data_pack(struct tree_data *td, const struct flame_tree *t, double factor,
		   const char *data, size_t data_len)
{
	if (tree_data_wait(td))
		return td->err;
	td->tree = t;
	td->factor = factor;
	td->data = data;
	td->data_len = data_len;
	/* made and compressed while the caller writes the frames */
	if (pthread_create(&td->thread, NULL, pack_run, td))
		pack(td);
	else
		td->running = true;
	return 0;
}

int tree_data_write(FILE *f, struct tree_data *td)
{
	if (tree_data_wait(td))
		return td->err;
	unsigned char trailer[4] = { td->adler >> 24, td->adler >> 16, td->adler >> 8, td->adler };
	bytebuf_put(&td->z, trailer, 4);
	if (!td->err && (td->raw.oom || td->z.oom))
		td->err = -ENOMEM;
	if (td->err)
		return td->err;
	fprintf(f, "var scorchTree=[%zu,\"", td->raw_len);
	put_base64(f, td->z.v, td->z.len);
	fputs("\"];\n", f);
	return 0;
}
