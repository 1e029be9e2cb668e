/* pprof's profile.proto, written and read by hand (the format is small; Go's runtime/pprof
 * encodes it by hand too). Writing: one Function and one Location per frame name, samples leaf
 * first, gzipped as the format asks of files. Reading: any pprof (Go, Pyroscope, Parca),
 * gzipped or not, one sample type chosen, inline lines expanded into frames. */
#include "pprof.h"
#include "bytebuf.h"
#include "hash.h"
#include "htab.h"
#include "u32vec.h"
#include "vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- encoding ---- */

/* field numbers of profile.proto */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_MAPPING = 3, P_LOCATION = 4, P_FUNCTION = 5,
	P_STRING = 6, P_TIME_NANOS = 9, P_DURATION_NANOS = 10, P_PERIOD_TYPE = 11, P_PERIOD = 12,
	P_COMMENT = 13, P_DEFAULT_SAMPLE_TYPE = 14,
	VT_TYPE = 1, VT_UNIT = 2,
	S_LOCATION_ID = 1, S_VALUE = 2,
	L_ID = 1, L_MAPPING_ID = 2, L_ADDRESS = 3, L_LINE = 4,
	LN_FUNCTION_ID = 1,
	MP_ID = 1, MP_FILENAME = 5, MP_BUILD_ID = 6, MP_HAS_FUNCTIONS = 7,
	F_ID = 1, F_NAME = 2, F_SYSTEM_NAME = 3,
};
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

static void pb_uint(struct bytebuf *b, unsigned field, uint64_t v)
{
	if (!v)
		return;	/* proto3: zero is the default and is not written */
	bytebuf_uv(b, (uint64_t)field << 3 | WT_VARINT);
	bytebuf_uv(b, v);
}

static void pb_bytes(struct bytebuf *b, unsigned field, const void *data, size_t n)
{
	bytebuf_uv(b, (uint64_t)field << 3 | WT_LEN);
	bytebuf_uv(b, n);
	bytebuf_put(b, data, n);
}

/* a nested message: its fields were built in sub (then emptied for reuse) */
static void pb_message(struct bytebuf *b, unsigned field, struct bytebuf *sub)
{
	if (sub->oom)
		b->oom = true;
	pb_bytes(b, field, sub->v, sub->len);
	sub->len = 0;
}

static void pb_value_type(struct bytebuf *b, struct bytebuf *sub, unsigned field, uint64_t type,
			  uint64_t unit)
{
	pb_uint(sub, VT_TYPE, type);
	pb_uint(sub, VT_UNIT, unit);
	pb_message(b, field, sub);
}

/* fixed strings first, frame names after them */
enum { S_EMPTY, S_SAMPLES, S_COUNT, S_CPU, S_NANOSECONDS, S_BEFORE, S_COMMENT, S_OFF_CPU,
       S_MICROSECONDS, S_FIXED };

static int gzip_out(const struct bytebuf *b, FILE *out)
{
	z_stream z = { 0 };
	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	uint8_t chunk[65536];
	size_t off = 0;
	int zr;
	do {
		size_t in = b->len - off < (1u << 30) ? b->len - off : (1u << 30);
		z.next_in = b->v ? b->v + off : NULL;
		z.avail_in = (uInt)in;
		bool last = off + in == b->len;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			zr = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
			size_t have = sizeof(chunk) - z.avail_out;
			if (have && fwrite(chunk, 1, have, out) != have) {
				deflateEnd(&z);
				return -EIO;
			}
		} while (z.avail_out == 0);
		off += in;
	} while (off < b->len);
	deflateEnd(&z);
	return zr == Z_STREAM_END ? 0 : -EIO;
}

int pprof_write(const struct profile *p, const struct pprof_meta *m, FILE *out, char *err,
		size_t errlen)
{
	static const struct pprof_meta none;
	if (!m)
		m = &none;
	if (prof_fractional(p)) {
		snprintf(err, errlen, "pprof stores integer counts; this profile has fractional "
				      "ones (write folded text instead)");
		return -EINVAL;
	}
	bool diff = prof_differential(p);
	int64_t period = m->hz > 0 ? (int64_t)(1e9 / m->hz + 0.5) : 0;
	size_t nf = prof_nframes(p), ns = prof_nstacks(p);
	/* frames used by some stack get ids 1..k in order of first use: ids[frame] */
	uint32_t *ids = calloc(nf ? nf : 1, sizeof(uint32_t));
	uint32_t *order = malloc((nf ? nf : 1) * sizeof(uint32_t));
	struct bytebuf b = { 0 }, sub = { 0 }, sub2 = { 0 };
	int ret = 0;
	if (!ids || !order) {
		ret = -ENOMEM;
		goto out;
	}
	uint32_t k = prof_used_frames(p, ids, order);

	if (m->off_cpu_us) {
		/* counts are microseconds off the CPU: one value, no period */
		period = 0;
		pb_value_type(&b, &sub, P_SAMPLE_TYPE, S_OFF_CPU, S_MICROSECONDS);
	} else {
		pb_value_type(&b, &sub, P_SAMPLE_TYPE, S_SAMPLES, S_COUNT);
	}
	if (period)
		pb_value_type(&b, &sub, P_SAMPLE_TYPE, S_CPU, S_NANOSECONDS);
	else if (diff)
		pb_value_type(&b, &sub, P_SAMPLE_TYPE, S_BEFORE, S_COUNT);

	for (size_t i = 0; i < ns; i++) {
		const struct prof_stack *s = prof_stack(p, i);
		const uint32_t *f = prof_stack_frames(p, s);
		/* a differential profile's columns are doubles: in range before any cast */
		if (diff && !(s->fcount >= 0 && s->fcount < 9.2e18 && s->before >= 0 &&
			      s->before < 9.2e18)) {
			snprintf(err, errlen, "a stack's count (%g) does not fit pprof's 64-bit signed "
				 "values", s->fcount);
			ret = -ERANGE;
			goto out;
		}
		uint64_t count = diff ? (uint64_t)s->fcount : s->count;
		uint64_t before = diff ? (uint64_t)s->before : 0;
		if (!s->depth || (!count && !before))
			continue;
		if (count > INT64_MAX || before > INT64_MAX ||
		    (period && count > (uint64_t)(INT64_MAX / period))) {
			snprintf(err, errlen, "a stack's count (%llu) does not fit pprof's 64-bit "
				 "signed values", (unsigned long long)count);
			ret = -ERANGE;
			goto out;
		}
		for (uint32_t d = s->depth; d-- > 0;)	/* leaf first */
			bytebuf_uv(&sub2, ids[f[d]]);
		pb_message(&sub, S_LOCATION_ID, &sub2);	/* packed */
		bytebuf_uv(&sub2, count);
		if (period)
			bytebuf_uv(&sub2, count * (uint64_t)period);
		else if (diff)
			bytebuf_uv(&sub2, before);
		pb_message(&sub, S_VALUE, &sub2);
		pb_message(&b, P_SAMPLE, &sub);
	}
	/* mappings: the binaries the used frames come from, where the profile knows them
	 * (a recording), numbered in order of first use; their strings follow the names */
	size_t nmod = prof_nmodules(p);
	uint32_t *mapping = calloc(nmod ? nmod : 1, sizeof(uint32_t));
	uint32_t *mod_order = malloc((nmod ? nmod : 1) * sizeof(uint32_t));
	uint32_t nmap = 0;
	if (!mapping || !mod_order) {
		free(mapping);
		free(mod_order);
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < k; i++) {
		uint32_t mod;
		if (prof_frame_module(p, order[i], &mod) && !mapping[mod]) {
			mod_order[nmap] = mod;
			mapping[mod] = ++nmap;
		}
	}
	uint64_t mstr = S_FIXED + (uint64_t)k;	/* mapping n: filename mstr + 2(n-1), id + 1 */
	for (uint32_t n = 1; n <= nmap; n++) {
		pb_uint(&sub, MP_ID, n);
		pb_uint(&sub, MP_FILENAME, mstr + 2 * (n - 1));
		if (prof_module_build_id(p, mod_order[n - 1]))
			pb_uint(&sub, MP_BUILD_ID, mstr + 2 * (n - 1) + 1);
		pb_uint(&sub, MP_HAS_FUNCTIONS, 1);
		pb_message(&b, P_MAPPING, &sub);
	}
	for (uint32_t i = 1; i <= k; i++) {
		uint32_t mod;
		pb_uint(&sub2, LN_FUNCTION_ID, i);
		pb_uint(&sub, L_ID, i);
		if (prof_frame_module(p, order[i - 1], &mod))
			pb_uint(&sub, L_MAPPING_ID, mapping[mod]);
		pb_message(&sub, L_LINE, &sub2);
		pb_message(&b, P_LOCATION, &sub);
	}
	for (uint32_t i = 1; i <= k; i++) {
		pb_uint(&sub, F_ID, i);
		pb_uint(&sub, F_NAME, S_FIXED + i - 1);
		pb_uint(&sub, F_SYSTEM_NAME, S_FIXED + i - 1);
		pb_message(&b, P_FUNCTION, &sub);
	}
	static const char *const fixed[S_FIXED] = {
		[S_EMPTY] = "", [S_SAMPLES] = "samples", [S_COUNT] = "count", [S_CPU] = "cpu",
		[S_NANOSECONDS] = "nanoseconds", [S_BEFORE] = "before",
		[S_COMMENT] = "written by scorch", [S_OFF_CPU] = "off_cpu",
		[S_MICROSECONDS] = "microseconds",
	};
	for (size_t i = 0; i < S_FIXED; i++)
		pb_bytes(&b, P_STRING, fixed[i], strlen(fixed[i]));
	for (uint32_t i = 0; i < k; i++)
		pb_bytes(&b, P_STRING, prof_frame_name(p, order[i]), prof_frame_len(p, order[i]));
	for (uint32_t n = 0; n < nmap; n++) {
		const char *path = prof_module_path(p, mod_order[n]);
		const char *bid = prof_module_build_id(p, mod_order[n]);
		pb_bytes(&b, P_STRING, path, strlen(path));
		pb_bytes(&b, P_STRING, bid ? bid : "", bid ? strlen(bid) : 0);
	}
	free(mapping);
	free(mod_order);
	if (m->time_nanos > 0)
		pb_uint(&b, P_TIME_NANOS, (uint64_t)m->time_nanos);
	if (m->duration_nanos > 0)
		pb_uint(&b, P_DURATION_NANOS, (uint64_t)m->duration_nanos);
	if (period) {
		pb_value_type(&b, &sub, P_PERIOD_TYPE, S_CPU, S_NANOSECONDS);
		pb_uint(&b, P_PERIOD, (uint64_t)period);
	} else if (m->off_cpu_us) {
		pb_value_type(&b, &sub, P_PERIOD_TYPE, S_OFF_CPU, S_MICROSECONDS);
		pb_uint(&b, P_PERIOD, 1);
	} else {
		pb_value_type(&b, &sub, P_PERIOD_TYPE, S_SAMPLES, S_COUNT);
		pb_uint(&b, P_PERIOD, 1);
	}
	pb_uint(&b, P_COMMENT, S_COMMENT);
	pb_uint(&b, P_DEFAULT_SAMPLE_TYPE, m->off_cpu_us ? S_OFF_CPU : S_SAMPLES);
	if (b.oom || sub.oom || sub2.oom) {
		ret = -ENOMEM;
		goto out;
	}
	ret = gzip_out(&b, out);
	if (ret)
		snprintf(err, errlen, "%s", strerror(-ret));
out:
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	free(ids);
	free(order);
	free(b.v);
	free(sub.v);
	free(sub2.v);
	return ret;
}

/* ---- decoding ---- */

struct span {
	const uint8_t *p;
	size_t n;
};

/* reads a varint at *s; false when cut short or longer than 10 bytes */
static bool rd_varint(struct span *s, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < 10 && i < s->n; i++) {
		x |= (uint64_t)(s->p[i] & 0x7f) << (7 * i);
		if (!(s->p[i] & 0x80)) {
			s->p += i + 1;
			s->n -= i + 1;
			*v = x;
			return true;
		}
	}
	return false;
}

/* the next field of a message: its number, wire type, and value (varint) or bytes (LEN) */
struct field {
	uint64_t num;
	unsigned wt;
	uint64_t v;
	struct span bytes;
};

/* 1: a field, 0: end of message, -1: malformed */
static int rd_field(struct span *s, struct field *f)
{
	if (!s->n)
		return 0;
	uint64_t key;
	if (!rd_varint(s, &key))
		return -1;
	f->num = key >> 3;
	f->wt = (unsigned)(key & 7);
	switch (f->wt) {
	case WT_VARINT:
		return rd_varint(s, &f->v) ? 1 : -1;
	case WT_I64:
	case WT_I32: {
		size_t w = f->wt == WT_I64 ? 8 : 4;
		if (s->n < w)
			return -1;
		f->v = 0;
		for (size_t i = 0; i < w; i++)
			f->v |= (uint64_t)s->p[i] << (8 * i);
		s->p += w;
		s->n -= w;
		return 1;
	}
	case WT_LEN: {
		uint64_t len;
		if (!rd_varint(s, &len) || len > s->n)
			return -1;
		f->bytes = (struct span){ s->p, (size_t)len };
		s->p += len;
		s->n -= len;
		return 1;
	}
	default:
		return -1;	/* groups (3, 4) are not in profile.proto */
	}
}

/* a repeated integer field: one varint, or a packed run of them. Calls add for each. */
static bool rd_repeated(const struct field *f, bool (*add)(void *ctx, uint64_t v), void *ctx)
{
	if (f->wt == WT_VARINT)
		return add(ctx, f->v);
	if (f->wt != WT_LEN)
		return false;
	struct span s = f->bytes;
	uint64_t v;
	while (s.n)
		if (!rd_varint(&s, &v) || !add(ctx, v))
			return false;
	return true;
}

struct spanvec {
	struct span *v;
	size_t len, cap;
};

static int spanvec_push(struct spanvec *a, struct span s)
{
	if (vec_grow((void **)&a->v, &a->cap, a->len + 1, sizeof(*a->v), 64))
		return -ENOMEM;
	a->v[a->len++] = s;
	return 0;
}

/* an id -> index map (pprof ids are any non-zero uint64) */
struct idmap {
	struct idkey {
		uint64_t id;
		uint32_t hash;
	} *keys;
	size_t n, cap;
	struct htab index;
};

static uint32_t id_hash(uint64_t id)
{
	return (uint32_t)hash_bytes64((const char *)&id, sizeof(id), 0);
}

/* the index of id, or -1 */
static long idmap_find(const struct idmap *m, uint64_t id, size_t *slot)
{
	uint32_t h = id_hash(id), e;
	size_t j = htab_start(&m->index, h);
	for (; (e = htab_slot(&m->index, j)); j = htab_next(&m->index, j))
		if (m->keys[e - 1].id == id)
			return (long)e - 1;
	*slot = j;
	return -1;
}

/* adds id as index m->n; a duplicate id keeps its first entry (returns 1) */
static int idmap_add(struct idmap *m, uint64_t id)
{
	size_t slot = 0;
	if (idmap_find(m, id, &slot) >= 0)
		return 1;
	if (vec_grow((void **)&m->keys, &m->cap, m->n + 1, sizeof(*m->keys), 64))
		return -ENOMEM;
	m->keys[m->n] = (struct idkey){ id, id_hash(id) };
	m->n++;
	return htab_put(&m->index, slot, (uint32_t)m->n - 1, m->n, &m->keys[0].hash,
			sizeof(*m->keys));
}

struct u64vec {
	uint64_t *v;
	size_t len, cap;
};

static bool u64_add(void *ctx, uint64_t v)
{
	struct u64vec *a = ctx;
	if (vec_grow((void **)&a->v, &a->cap, a->len + 1, sizeof(*a->v), 64))
		return false;
	a->v[a->len++] = v;
	return true;
}

struct pp {
	struct profile *p;
	const char *name;	/* for messages */
	struct spanvec strings, samples, locations, functions, types;
	struct idmap fn_ids, loc_ids;
	uint64_t *fn_name;	/* per function: its name's string index */
	struct span *loc_lines;	/* per location: its message, lines read when used */
	uint64_t *loc_addr;
	uint32_t *str_frame;	/* per string: frame id + 1, once interned */
	/* per location: its frames, root-side first, worked out once (loc_frames.v[off..+n)) */
	struct u32vec loc_frames;
	size_t *loc_off;	/* SIZE_MAX: not yet */
	uint32_t *loc_n;
	uint64_t *loc_bytes;	/* the length of its frames' names, with a ';' each */
	size_t bad_refs;
};

static struct span str_at(const struct pp *x, uint64_t i)
{
	return i < x->strings.len ? x->strings.v[i] : (struct span){ (const uint8_t *)"", 0 };
}

static bool span_is(struct span s, const char *t)
{
	return s.n == strlen(t) && !memcmp(s.p, t, s.n);
}

/* the frame id of string i (a function's name), interned once */
static int64_t str_frame(struct pp *x, uint64_t i)
{
	if (i >= x->strings.len) {
		x->bad_refs++;
		i = 0;
	}
	if (!x->str_frame[i]) {
		struct span s = x->strings.v[i];
		int64_t id = s.n ? prof_intern(x->p, (const char *)s.p, s.n)
				 : prof_intern(x->p, "[unknown]", 9);
		if (id < 0)
			return id;
		x->str_frame[i] = (uint32_t)id + 1;
	}
	return x->str_frame[i] - 1;
}

/* appends the frames of location index li to x->loc_frames, root-side first (the last line
 * is the caller of the lines before it) */
static int location_expand(struct pp *x, size_t li, struct u64vec *fns)
{
	struct u32vec *out = &x->loc_frames;
	struct span s = x->loc_lines[li];
	struct field f;
	int r;
	fns->len = 0;
	while ((r = rd_field(&s, &f)) > 0) {
		if (f.num != L_LINE || f.wt != WT_LEN)
			continue;
		struct span ls = f.bytes;
		struct field lf;
		uint64_t fn = 0;
		while ((r = rd_field(&ls, &lf)) > 0)
			if (lf.num == LN_FUNCTION_ID && lf.wt == WT_VARINT)
				fn = lf.v;
		if (r < 0 || !u64_add(fns, fn))
			return r < 0 ? -EINVAL : -ENOMEM;
	}
	if (r < 0)
		return -EINVAL;
	if (!fns->len) {	/* no symbol: its address, as pprof shows it */
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)x->loc_addr[li]);
		int64_t id = prof_intern(x->p, buf, (size_t)n);
		if (id < 0)
			return (int)id;
		return u32vec_push(out, (uint32_t)id);
	}
	for (size_t i = fns->len; i-- > 0;) {
		size_t slot;
		long fi = idmap_find(&x->fn_ids, fns->v[i], &slot);
		int64_t id;
		if (fi < 0) {
			x->bad_refs++;
			id = prof_intern(x->p, "[unknown]", 9);
		} else {
			id = str_frame(x, x->fn_name[fi]);
		}
		if (id < 0)
			return (int)id;
		if (u32vec_push(out, (uint32_t)id))
			return -ENOMEM;
	}
	return 0;
}

/* appends the frames of location index li to out: parsed once, however often it is used, so
 * the work is the frames written */
static int location_frames(struct pp *x, size_t li, struct u32vec *out, struct u64vec *fns,
			   uint64_t *bytes)
{
	if (x->loc_off[li] == SIZE_MAX) {
		size_t off = x->loc_frames.len;
		int err = location_expand(x, li, fns);
		if (err)
			return err;
		x->loc_off[li] = off;
		x->loc_n[li] = (uint32_t)(x->loc_frames.len - off);
		for (size_t i = off; i < x->loc_frames.len; i++)
			x->loc_bytes[li] += prof_frame_len(x->p, x->loc_frames.v[i]) + 1;
	}
	*bytes += x->loc_bytes[li];
	if (vec_grow((void **)&out->v, &out->cap, out->len + x->loc_n[li], sizeof(*out->v), 256))
		return -ENOMEM;
	memcpy(out->v + out->len, x->loc_frames.v + x->loc_off[li], x->loc_n[li] * sizeof(*out->v));
	out->len += x->loc_n[li];
	return 0;
}

/* Indexes messages (functions or locations) by their id (field 1): vals[i] gets field
 * val_field of the i-th distinct id, keep[i] (if given) its message. A repeated id keeps its
 * first message. */
static int index_ids(struct pp *x, const struct spanvec *msgs, uint64_t val_field,
		     struct idmap *ids, uint64_t *vals, struct span *keep, const char *what)
{
	struct field f;
	int r;
	for (size_t i = 0; i < msgs->len; i++) {
		struct span s = msgs->v[i];
		uint64_t id = 0, val = 0;
		while ((r = rd_field(&s, &f)) > 0) {
			if (f.wt == WT_VARINT && f.num == 1)
				id = f.v;
			else if (f.wt == WT_VARINT && f.num == val_field)
				val = f.v;
		}
		if (r < 0) {
			prof_set_error(x->p, "%s: malformed %s", x->name, what);
			return -EINVAL;
		}
		int added = idmap_add(ids, id);
		if (added < 0)
			return added;
		if (!added) {
			vals[ids->n - 1] = val;
			if (keep)
				keep[ids->n - 1] = msgs->v[i];
		}
	}
	return 0;
}

static int pprof_decode(struct pp *x, struct span data, const char *sample_type)
{
	struct field f;
	int r, err = 0;
	struct span s = data;
	while ((r = rd_field(&s, &f)) > 0) {
		struct spanvec *to = NULL;
		switch (f.num) {
		case P_SAMPLE_TYPE: to = &x->types; break;
		case P_SAMPLE: to = &x->samples; break;
		case P_LOCATION: to = &x->locations; break;
		case P_FUNCTION: to = &x->functions; break;
		case P_STRING: to = &x->strings; break;
		default: break;
		}
		if (to && f.wt == WT_LEN && (err = spanvec_push(to, f.bytes)))
			return err;
	}
	if (r < 0) {
		prof_set_error(x->p, "%s: not a valid pprof profile (malformed protobuf)", x->name);
		return -EINVAL;
	}
	if (!x->strings.len || x->strings.v[0].n) {
		prof_set_error(x->p, "%s: not a valid pprof profile (its string table must start "
				     "with \"\")", x->name);
		return -EINVAL;
	}

	/* the value to fold: --sample-type, else cpu when present, else the first */
	size_t ntypes = x->types.len, pick = 0;
	bool found = false;
	for (size_t i = 0; i < ntypes; i++) {
		struct span ts = x->types.v[i];
		uint64_t type = 0;
		while ((r = rd_field(&ts, &f)) > 0)
			if (f.num == VT_TYPE && f.wt == WT_VARINT)
				type = f.v;
		struct span name = str_at(x, type);
		if (sample_type ? span_is(name, sample_type) : span_is(name, "cpu")) {
			pick = i;
			found = true;
			break;
		}
	}
	if (sample_type && !found) {
		char list[512];
		size_t n = 0;
		list[0] = '\0';
		for (size_t i = 0; i < ntypes && n < sizeof(list) - 64; i++) {
			struct span ts = x->types.v[i];
			uint64_t type = 0;
			while (rd_field(&ts, &f) > 0)
				if (f.num == VT_TYPE && f.wt == WT_VARINT)
					type = f.v;
			struct span name = str_at(x, type);
			int w = (int)(name.n < 48 ? name.n : 48);
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%.*s", i ? ", " : "", w,
					      (const char *)name.p);
		}
		prof_set_error(x->p, "%s: no sample type '%s' (it has: %s)", x->name, sample_type,
			       ntypes ? list : "none");
		return -EINVAL;
	}

	x->fn_name = calloc(x->functions.len + 1, sizeof(*x->fn_name));
	x->loc_lines = calloc(x->locations.len + 1, sizeof(*x->loc_lines));
	x->loc_addr = calloc(x->locations.len + 1, sizeof(*x->loc_addr));
	x->str_frame = calloc(x->strings.len, sizeof(*x->str_frame));
	x->loc_off = malloc((x->locations.len + 1) * sizeof(*x->loc_off));
	x->loc_n = calloc(x->locations.len + 1, sizeof(*x->loc_n));
	x->loc_bytes = calloc(x->locations.len + 1, sizeof(*x->loc_bytes));
	if (!x->fn_name || !x->loc_lines || !x->loc_addr || !x->str_frame || !x->loc_off ||
	    !x->loc_n || !x->loc_bytes)
		return -ENOMEM;
	for (size_t i = 0; i <= x->locations.len; i++)
		x->loc_off[i] = SIZE_MAX;
	if ((err = index_ids(x, &x->functions, F_NAME, &x->fn_ids, x->fn_name, NULL, "function")) ||
	    (err = index_ids(x, &x->locations, L_ADDRESS, &x->loc_ids, x->loc_addr, x->loc_lines,
			     "location")))
		return err;

	struct u64vec locs = { 0 }, vals = { 0 }, fns = { 0 };
	struct u32vec frames = { 0 };
	size_t negative = 0;
	/* what honest profiles stay far below: a location id is a byte or more and names a few
	 * frames; a frame name is written once in the string table */
	uint64_t expanded = 0, budget = (uint64_t)data.n * 8 + (1u << 20);
	uint64_t name_bytes = 0, bytes_budget = (uint64_t)data.n * 64 + (16u << 20);
	for (size_t i = 0; i < x->samples.len && !err; i++) {
		struct span ss = x->samples.v[i];
		locs.len = vals.len = 0;
		while ((r = rd_field(&ss, &f)) > 0) {
			bool ok = true;
			if (f.num == S_LOCATION_ID)
				ok = rd_repeated(&f, u64_add, &locs);
			else if (f.num == S_VALUE)
				ok = rd_repeated(&f, u64_add, &vals);
			if (!ok) {
				r = -1;
				break;
			}
		}
		if (r < 0) {
			prof_set_error(x->p, "%s: malformed sample", x->name);
			err = -EINVAL;
			break;
		}
		if (pick >= vals.len)
			continue;	/* no value of that type: nothing to add */
		int64_t v = (int64_t)vals.v[pick];
		if (v <= 0) {
			negative += v < 0;
			continue;
		}
		frames.len = 0;
		for (size_t k = locs.len; k-- > 0 && !err;) {	/* root first */
			size_t slot;
			long li = idmap_find(&x->loc_ids, locs.v[k], &slot);
			if (li < 0) {
				x->bad_refs++;
				int64_t id = prof_intern(x->p, "[unknown]", 9);
				err = id < 0 ? (int)id : u32vec_push(&frames, (uint32_t)id);
			} else {
				err = location_frames(x, (size_t)li, &frames, &fns, &name_bytes);
				if (err == -EINVAL)
					prof_set_error(x->p, "%s: malformed location", x->name);
			}
			/* a few bytes can name a deep location many times: the frames a profile
			 * expands to are bounded by its size, so a crafted one cannot take
			 * quadratic time or memory */
			if (!err && (expanded + frames.len > budget ||
				     name_bytes > bytes_budget)) {
				prof_set_error(x->p, "%s: its samples expand to more than %llu frames "
					       "or %llu bytes of names (%zu bytes of input): not a "
					       "profile this reader takes", x->name,
					       (unsigned long long)budget,
					       (unsigned long long)bytes_budget, data.n);
				err = -E2BIG;
			}
		}
		expanded += frames.len;
		if (!err && frames.len) {
			err = prof_add(x->p, frames.v, frames.len, (uint64_t)v);
			if (err == -EOVERFLOW)
				err = prof_diag_overflow(x->p, x->name, 0);
		}
	}
	if (negative)
		prof_note_add(x->p, "%s: skipped %zu sample%s with a negative value (a diff "
				    "profile's losses)", x->name, negative, negative == 1 ? "" : "s");
	if (x->bad_refs)
		prof_note_add(x->p, "%s: %zu reference%s to a missing location, function or string "
				    "(shown as [unknown])", x->name, x->bad_refs,
			      x->bad_refs == 1 ? "" : "s");
	free(locs.v);
	free(vals.v);
	free(fns.v);
	free(frames.v);
	return err;
}

int pprof_read(struct profile *p, const void *data, size_t len, const char *name,
	       const char *sample_type)
{
	struct pp x = { .p = p, .name = name ? name : "<pprof>" };
	int err = pprof_decode(&x, (struct span){ data, len }, sample_type);
	if (err && !prof_error(p))
		prof_set_error(p, "%s: %s", x.name, strerror(-err));
	free(x.strings.v);
	free(x.samples.v);
	free(x.locations.v);
	free(x.functions.v);
	free(x.types.v);
	free(x.fn_ids.keys);
	htab_free(&x.fn_ids.index);
	free(x.loc_ids.keys);
	htab_free(&x.loc_ids.index);
	free(x.fn_name);
	free(x.loc_lines);
	free(x.loc_addr);
	free(x.str_frame);
	free(x.loc_frames.v);
	free(x.loc_off);
	free(x.loc_n);
	free(x.loc_bytes);
	return err;
}

/* the wire type a Profile field has (13 comment may be packed) */
static bool profile_field_ok(uint64_t num, unsigned wt)
{
	switch (num) {
	case 1: case 2: case 3: case 4: case 5: case 6: case 11: case 16:
		return wt == WT_LEN;
	case 7: case 8: case 9: case 10: case 12: case 14: case 15:
		return wt == WT_VARINT;
	case 13:
		return wt == WT_VARINT || wt == WT_LEN;
	default:
		return false;
	}
}

bool pprof_detect(const void *data, size_t len, bool more)
{
	/* binary (bytes no text profile has), and well-formed Profile fields from the start:
	 * three whole ones (every profile's first fields are small), or all of the data */
	const uint8_t *b = data;
	size_t n = len < 64 ? len : 64;
	bool binary = false;
	for (size_t i = 0; i < n; i++)
		if (b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r')
			binary = true;
	if (!binary)
		return false;
	struct span s = { b, len };
	struct field f;
	int fields = 0, r;
	while (fields < 3) {
		struct span at = s;
		uint64_t key, n;
		r = rd_field(&s, &f);
		if (r == 0)
			return fields > 0;	/* a tiny profile, whole */
		/* a long field cut by the end of what was looked at (more follows): a good key and
		 * length are enough */
		if (r < 0 && more && rd_varint(&at, &key) && (key & 7) == WT_LEN &&
		    profile_field_ok(key >> 3, WT_LEN) && rd_varint(&at, &n) && n > at.n)
			return true;
		if (r < 0 || !profile_field_ok(f.num, f.wt))
			return false;
		fields++;
	}
	return true;
}
