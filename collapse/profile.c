/* The profile model: an arena of interned frame names, a pool of frame ids, and a hash table of
 * unique stacks with their counts. Converters fill it line by line; memory grows with unique
 * frames and stacks, never with input size, and nothing is allocated per sample. */
#include "profile.h"
#include "hash.h"
#include "htab.h"
#include "utf8.h"
#include "vec.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define ARENA_BLOCK (1u << 20)
#define PROF_NOTE_KEEP 16

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

struct frame_rec {
	const char *name;
	uint32_t len;
	uint32_t hash;
	uint32_t module;	/* index + 1 into modules; 0: not known */
};

/* a binary frames come from (a recording knows them): its path and build id */
struct prof_module {
	struct htab_name key;	/* the path, sanitized */
	char *build_id;		/* hex, or NULL */
};

struct profile {
	/* frames */
	struct arena_block *arena;
	struct frame_rec *frames;
	size_t nframes, frames_cap;
	struct htab frame_index;	/* by name */

	/* stacks */
	uint32_t *pool;			/* frame ids of all unique stacks */
	size_t pool_len, pool_cap;
	struct prof_stack *stacks;
	uint32_t *stack_hash;		/* per stack, to rehash without recomputing */
	size_t nstacks, stacks_cap, stack_hash_cap;
	struct htab stack_index;	/* by frame ids */

	struct prof_module *modules;
	size_t nmodules, modules_cap;
	struct htab module_index;	/* by path */

	char *clean;			/* prof_intern's scratch for names it must clean */
	size_t clean_cap;

	bool fractional, differential;
	bool keep_order;
	struct prof_seq *seq;
	size_t nseq, seq_cap;

	size_t ndiag, ndiag_kept;
	struct prof_diag_entry diag[PROF_DIAG_KEEP];
	size_t nnotes;
	char *notes[PROF_NOTE_KEEP];
	char *error;
};

static uint32_t hash_ids(const uint32_t *ids, size_t n)
{
	return (uint32_t)hash_u32s(ids, n);
}

struct profile *prof_new(void)
{
	struct profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	return p;
}

void prof_free(struct profile *p)
{
	if (!p)
		return;
	struct arena_block *b = p->arena;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(p->frames);
	htab_free(&p->frame_index);
	free(p->clean);
	free(p->pool);
	free(p->stacks);
	free(p->stack_hash);
	htab_free(&p->stack_index);
	free(p->seq);
	free(p->error);
	for (size_t i = 0; i < p->nmodules; i++) {
		free(p->modules[i].key.name);
		free(p->modules[i].build_id);
	}
	free(p->modules);
	htab_free(&p->module_index);
	for (size_t i = 0; i < p->ndiag_kept; i++) {
		free(p->diag[i].where);
		free(p->diag[i].msg);
	}
	for (size_t i = 0; i < p->nnotes && i < PROF_NOTE_KEEP; i++)
		free(p->notes[i]);
	free(p);
}

static char *arena_alloc(struct profile *p, size_t len)
{
	struct arena_block *b = p->arena;
	if (!b || b->cap - b->used < len) {
		size_t cap = len > ARENA_BLOCK / 4 ? len : ARENA_BLOCK;
		struct arena_block *nb = malloc(sizeof(*nb) + cap);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->cap = cap;
		if (b && cap != ARENA_BLOCK) {
			/* a huge name gets its own block behind the current one */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			p->arena = nb;
		}
		b = nb;
	}
	char *s = b->data + b->used;
	b->used += len;
	return s;
}

static int grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
	return vec_grow(ptr, cap, need, elem, 64);
}

/* Characters no frame name keeps: C0 and C1 controls (line breaks, tabs, escapes), DEL, the
 * Unicode line and paragraph separators and the bidi controls that could reorder what a
 * tooltip or a table shows. */
static bool forbidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The one sanitizer every frame name passes before it is interned, whatever its source
 * (sampler, converters, symbolizer, folded input): ';' becomes ':' (it would split the
 * frame), invalid UTF-8 and forbidden characters become U+FFFD. After it, every writer
 * (folded, JSON, markdown, SVG, pprof) can trust a name. Returns the clean length in
 * p->clean, or 0 when the name is clean as it is. */
static ssize_t clean_name(struct profile *p, const char *name, size_t len)
{
	size_t i = ascii_printable_span(name, len, ';');	/* kept as they are */
	if (i == len)
		return 0;	/* printable ASCII: the common case */
	if (len > (SIZE_MAX - 16) / 3)
		return -E2BIG;
	if (grow((void **)&p->clean, &p->clean_cap, len * 3 + 1, 1))
		return -ENOMEM;
	memcpy(p->clean, name, i);
	size_t w = i;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)name + i, len - i, &cp);
		if (n && cp == ';') {
			p->clean[w++] = ':';
		} else if (n && !forbidden(cp)) {
			memcpy(p->clean + w, name + i, n);
			w += n;
		} else {
			memcpy(p->clean + w, "\xef\xbf\xbd", 3);	/* U+FFFD */
			w += 3;
		}
		i += n ? n : 1;
	}
	return (ssize_t)w;
}

static uint32_t name_hash(const char *name, size_t len)
{
	return (uint32_t)hash_bytes64(name, len, 0);
}

/* a clean name (no more than UINT32_MAX bytes) whose hash is h */
static int64_t intern_clean(struct profile *p, const char *name, size_t len, uint32_t h)
{
	uint32_t slot;
	size_t j = htab_start(&p->frame_index, h);
	for (; (slot = htab_slot(&p->frame_index, j)); j = htab_next(&p->frame_index, j)) {
		if (htab_tag(&p->frame_index, j) != h)
			continue;
		const struct frame_rec *f = &p->frames[slot - 1];
		if (f->len == len && memcmp(f->name, name, len) == 0)
			return slot - 1;
	}
	if (p->nframes >= UINT32_MAX - 1)
		return -E2BIG;
	if (grow((void **)&p->frames, &p->frames_cap, p->nframes + 1, sizeof(*p->frames)))
		return -ENOMEM;
	char *s = arena_alloc(p, len + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, name, len);
	s[len] = '\0';
	uint32_t id = (uint32_t)p->nframes++;
	p->frames[id] = (struct frame_rec){ .name = s, .len = (uint32_t)len, .hash = h };
	if (htab_put(&p->frame_index, j, id, p->nframes, &p->frames[0].hash,
		     sizeof(struct frame_rec)))
		return -ENOMEM;
	return id;
}

int64_t prof_intern(struct profile *p, const char *name, size_t len)
{
	if (len > UINT32_MAX)
		return -EINVAL;
	ssize_t clean = clean_name(p, name, len);
	if (clean < 0)
		return clean;
	if (clean) {
		name = p->clean;
		len = (size_t)clean;
		if (len > UINT32_MAX)
			return -EINVAL;
	}
	return intern_clean(p, name, len, name_hash(name, len));
}

#define INTERN_BATCH 16

int prof_intern_many(struct profile *p, const struct prof_name *names, size_t n, uint32_t *ids)
{
	for (size_t b = 0; b < n; b += INTERN_BATCH) {
		size_t m = n - b < INTERN_BATCH ? n - b : INTERN_BATCH;
		uint32_t h[INTERN_BATCH];
		bool clean[INTERN_BATCH];
		/* the hashes first and their slots fetched: on a big table each slot is a cache
		 * miss, and the misses of a batch then overlap */
		for (size_t i = 0; i < m; i++) {
			const struct prof_name *nm = &names[b + i];
			clean[i] = nm->len <= UINT32_MAX &&
				   ascii_printable_span(nm->s, nm->len, ';') == nm->len;
			if (!clean[i])
				continue;
			h[i] = name_hash(nm->s, nm->len);
			if (p->frame_index.cap)
				__builtin_prefetch(&p->frame_index.slots[htab_start(&p->frame_index,
										       h[i])]);
		}
		for (size_t i = 0; i < m; i++) {
			const struct prof_name *nm = &names[b + i];
			int64_t id = clean[i] ? intern_clean(p, nm->s, nm->len, h[i])
					      : prof_intern(p, nm->s, nm->len);
			if (id < 0)
				return (int)id;
			ids[b + i] = (uint32_t)id;
		}
	}
	return 0;
}

/* the module of path (sanitized into *path, *len: paths come from outside too), or -ENOENT
 * with *slot where it goes */
static int64_t module_lookup(struct profile *p, const char **path, size_t *len, size_t *slot)
{
	ssize_t clean = clean_name(p, *path, *len);
	if (clean < 0)
		return clean;
	if (clean) {
		*path = p->clean;
		*len = (size_t)clean;
	}
	long i = htab_find_name(&p->module_index, p->modules, sizeof(*p->modules), *path, *len,
				slot);
	return i >= 0 ? i : -ENOENT;
}

int64_t prof_module(struct profile *p, const char *path, size_t len, const char *build_id)
{
	size_t slot = 0;
	int64_t i = module_lookup(p, &path, &len, &slot);
	if (i != -ENOENT)
		return i;
	if (p->nmodules >= UINT32_MAX - 1 ||
	    grow((void **)&p->modules, &p->modules_cap, p->nmodules + 1, sizeof(*p->modules)))
		return -ENOMEM;
	struct prof_module *m = &p->modules[p->nmodules];
	*m = (struct prof_module){ 0 };
	if (htab_name_init(&m->key, path, len))
		return -ENOMEM;
	if (build_id && !(m->build_id = strdup(build_id))) {
		free(m->key.name);
		return -ENOMEM;
	}
	p->nmodules++;
	if (htab_put(&p->module_index, slot, (uint32_t)p->nmodules - 1, p->nmodules,
		     &p->modules[0].key.hash, sizeof(*p->modules)))
		return -ENOMEM;
	return (int64_t)p->nmodules - 1;
}

int64_t prof_module_find(struct profile *p, const char *path, size_t len)
{
	size_t slot = 0;
	return module_lookup(p, &path, &len, &slot);
}

int prof_module_set_build_id(struct profile *p, uint32_t module, const char *build_id)
{
	if (module >= p->nmodules || p->modules[module].build_id)
		return 0;
	return (p->modules[module].build_id = strdup(build_id)) ? 0 : -ENOMEM;
}

void prof_frame_set_module(struct profile *p, uint32_t frame, uint32_t module)
{
	if (frame < p->nframes && module < p->nmodules && !p->frames[frame].module)
		p->frames[frame].module = module + 1;
}

bool prof_frame_module(const struct profile *p, uint32_t frame, uint32_t *module)
{
	if (frame >= p->nframes || !p->frames[frame].module)
		return false;
	*module = p->frames[frame].module - 1;
	return true;
}

const char *prof_module_path(const struct profile *p, uint32_t module)
{
	return module < p->nmodules ? p->modules[module].key.name : NULL;
}

const char *prof_module_build_id(const struct profile *p, uint32_t module)
{
	return module < p->nmodules ? p->modules[module].build_id : NULL;
}

size_t prof_nmodules(const struct profile *p)
{
	return p->nmodules;
}

const char *prof_frame_name(const struct profile *p, uint32_t id)
{
	return id < p->nframes ? p->frames[id].name : NULL;
}

size_t prof_frame_len(const struct profile *p, uint32_t id)
{
	return id < p->nframes ? p->frames[id].len : 0;
}

size_t prof_nframes(const struct profile *p)
{
	return p->nframes;
}

/* Finds or creates the stack; returns its index or a negative errno. */
static int64_t stack_slot(struct profile *p, const uint32_t *frames, size_t depth)
{
	if (depth > UINT32_MAX)
		return -EINVAL;
	uint32_t h = hash_ids(frames, depth), slot;
	size_t j = htab_start(&p->stack_index, h);
	for (; (slot = htab_slot(&p->stack_index, j)); j = htab_next(&p->stack_index, j)) {
		if (htab_tag(&p->stack_index, j) != h)
			continue;
		const struct prof_stack *s = &p->stacks[slot - 1];
		if (s->depth == depth &&
		    (!depth || !memcmp(p->pool + s->frames_off, frames, depth * sizeof(uint32_t))))
			return slot - 1;
	}
	if (p->pool_len + depth > UINT32_MAX || p->nstacks >= UINT32_MAX - 1)
		return -E2BIG;
	if (grow((void **)&p->pool, &p->pool_cap, p->pool_len + depth, sizeof(uint32_t)))
		return -ENOMEM;
	if (grow((void **)&p->stacks, &p->stacks_cap, p->nstacks + 1, sizeof(*p->stacks)) ||
	    grow((void **)&p->stack_hash, &p->stack_hash_cap, p->nstacks + 1, sizeof(uint32_t)))
		return -ENOMEM;
	if (depth)
		memcpy(p->pool + p->pool_len, frames, depth * sizeof(uint32_t));
	size_t idx = p->nstacks++;
	p->stacks[idx] = (struct prof_stack){ .frames_off = (uint32_t)p->pool_len,
					      .depth = (uint32_t)depth };
	p->stack_hash[idx] = h;
	p->pool_len += depth;
	if (htab_put(&p->stack_index, j, (uint32_t)idx, p->nstacks, p->stack_hash,
		     sizeof(uint32_t)))
		return -ENOMEM;
	return (int64_t)idx;
}

static int seq_push(struct profile *p, int64_t stack, double count, double before)
{
	if (!p->keep_order)
		return 0;
	if (grow((void **)&p->seq, &p->seq_cap, p->nseq + 1, sizeof(*p->seq)))
		return -ENOMEM;
	p->seq[p->nseq++] = (struct prof_seq){ .stack = (uint32_t)stack, .count = count,
					       .before = before };
	return 0;
}

void prof_keep_order(struct profile *p)
{
	p->keep_order = true;
}

bool prof_keeps_order(const struct profile *p)
{
	return p->keep_order;
}

const struct prof_seq *prof_sequence(const struct profile *p, size_t *n)
{
	*n = p->nseq;
	return p->seq;
}

int prof_add(struct profile *p, const uint32_t *frames, size_t depth, uint64_t count)
{
	int64_t i = stack_slot(p, frames, depth);
	if (i < 0)
		return (int)i;
	if (seq_push(p, i, (double)count, 0))
		return -ENOMEM;
	struct prof_stack *s = &p->stacks[i];
	s->fcount += (double)count;
	if (s->count > UINT64_MAX - count) {	/* saturates, and says so */
		s->count = UINT64_MAX;
		return -EOVERFLOW;
	}
	s->count += count;
	return 0;
}

/* a fractional sum past the largest double stays there (-EOVERFLOW), never infinity; the
 * integer count follows it, kept at UINT64_MAX when it does not fit */
static int saturate_f(struct prof_stack *s)
{
	int ret = 0;
	if (isinf(s->fcount)) {
		s->fcount = DBL_MAX;
		ret = -EOVERFLOW;
	}
	if (isinf(s->before)) {
		s->before = DBL_MAX;
		ret = -EOVERFLOW;
	}
	s->count = s->fcount >= 18446744073709551615.0 ? UINT64_MAX
		   : s->fcount > 0 ? (uint64_t)llround(s->fcount) : 0;
	return ret;
}

int prof_add_f(struct profile *p, const uint32_t *frames, size_t depth, double count)
{
	int64_t i = stack_slot(p, frames, depth);
	if (i < 0)
		return (int)i;
	if (seq_push(p, i, count, 0))
		return -ENOMEM;
	if (count != floor(count))
		p->fractional = true;
	p->stacks[i].fcount += count;
	return saturate_f(&p->stacks[i]);
}

int prof_add_diff(struct profile *p, const uint32_t *frames, size_t depth, double before,
		  double after)
{
	int64_t i = stack_slot(p, frames, depth);
	if (i < 0)
		return (int)i;
	if (seq_push(p, i, after, before))
		return -ENOMEM;
	p->differential = true;
	if (before != floor(before) || after != floor(after))
		p->fractional = true;
	p->stacks[i].before += before;
	p->stacks[i].fcount += after;
	return saturate_f(&p->stacks[i]);
}

void prof_scale_before(struct profile *p, double num, double den)
{
	for (size_t i = 0; i < p->nstacks; i++) {
		double v = den > 0 ? p->stacks[i].before * (num / den) : 0;
		p->stacks[i].before = floor(v == v ? fmin(v, DBL_MAX) : 0);	/* finite */
	}
}

size_t prof_nstacks(const struct profile *p)
{
	return p->nstacks;
}

const struct prof_stack *prof_stack(const struct profile *p, size_t i)
{
	return i < p->nstacks ? &p->stacks[i] : NULL;
}

const uint32_t *prof_stack_frames(const struct profile *p, const struct prof_stack *s)
{
	/* a profile of empty stacks has no pool: no arithmetic on NULL (found by fuzz_render) */
	return p->pool ? p->pool + s->frames_off : NULL;
}

bool prof_fractional(const struct profile *p)
{
	return p->fractional;
}

bool prof_differential(const struct profile *p)
{
	return p->differential;
}

double prof_total(const struct profile *p)
{
	double t = 0;
	for (size_t i = 0; i < p->nstacks; i++)
		t = fmin(t + p->stacks[i].fcount, DBL_MAX);	/* huge counts: finite */
	return t;
}

double prof_total_before(const struct profile *p)
{
	double t = 0;
	for (size_t i = 0; i < p->nstacks; i++)
		t = fmin(t + p->stacks[i].before, DBL_MAX);
	return t;
}

uint64_t prof_total_int(const struct profile *p)
{
	uint64_t t = 0;
	for (size_t i = 0; i < p->nstacks; i++)
		t = t > UINT64_MAX - p->stacks[i].count ? UINT64_MAX : t + p->stacks[i].count;
	return t;
}

uint32_t prof_used_frames(const struct profile *p, uint32_t *ids, uint32_t *order)
{
	uint32_t k = 0;
	memset(ids, 0, p->nframes * sizeof(*ids));
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		const uint32_t *f = p->pool + s->frames_off;
		for (uint32_t d = 0; d < s->depth; d++)
			if (!ids[f[d]]) {
				order[k] = f[d];
				ids[f[d]] = ++k;
			}
	}
	return k;
}

void prof_reset_counts(struct profile *p)
{
	p->pool_len = 0;
	p->nstacks = 0;
	p->nseq = 0;
	p->fractional = p->differential = false;
	htab_clear(&p->stack_index);
}

/* one stack (or sequence entry) of src into dst: its frames, re-interned (map) and folded
 * (consecutive repeats, when fold is set), into buf[0..n) */
static size_t copy_frames(const struct profile *src, const struct prof_stack *s,
			  const uint32_t *map, bool fold, uint32_t empty, uint32_t *buf)
{
	const uint32_t *f = src->pool + s->frames_off;
	uint32_t n = 0, last = empty;	/* Perl's $last starts as "": a leading "" goes too */
	for (uint32_t d = 0; d < s->depth; d++)
		if (!fold || f[d] != last)
			buf[n++] = last = f[d];
	for (uint32_t d = 0; d < n; d++)
		buf[d] = map[buf[d]];
	return n;
}

static int add_copied(struct profile *dst, const struct profile *src, const uint32_t *frames,
		      size_t n, bool fold, uint64_t icount, double count, double before)
{
	int err;
	if (src->differential)
		err = prof_add_diff(dst, frames, n, before, count);
	else if (src->fractional)
		err = prof_add_f(dst, frames, n, count);
	else
		err = prof_add(dst, frames, n, icount);
	return err == -EOVERFLOW ? prof_diag_overflow(dst, fold ? "recursion" : "merge", 0) : err;
}

#define COPY_BATCH 16

/* every stack of src into dst (in src's kept order when both keep one), folded or not; in
 * batches whose table slots in dst are fetched before they are probed */
static int copy_stacks(struct profile *dst, const struct profile *src, bool fold)
{
	uint32_t *map = malloc((src->nframes ? src->nframes : 1) * sizeof(uint32_t));
	uint32_t *buf = NULL, empty = UINT32_MAX;
	size_t buf_cap = 0;
	int err = 0;
	if (!map)
		return -ENOMEM;
	/* src's names are clean and hashed already */
	for (size_t b = 0; b < src->nframes; b += COPY_BATCH) {
		size_t m = src->nframes - b < COPY_BATCH ? src->nframes - b : COPY_BATCH;
		for (size_t i = 0; i < m && dst->frame_index.cap; i++)
			__builtin_prefetch(&dst->frame_index.slots[htab_start(
				&dst->frame_index, src->frames[b + i].hash)]);
		for (size_t i = b; i < b + m; i++) {
			const struct frame_rec *f = &src->frames[i];
			int64_t id = intern_clean(dst, f->name, f->len, f->hash);
			if (id < 0) {
				err = (int)id;
				goto out;
			}
			map[i] = (uint32_t)id;
			if (!f->len)
				empty = (uint32_t)i;
		}
	}
	bool seq = src->keep_order && dst->keep_order;	/* a flame chart keeps its time order */
	size_t total = seq ? src->nseq : src->nstacks;
	for (size_t b = 0; b < total && !err; b += COPY_BATCH) {
		size_t m = total - b < COPY_BATCH ? total - b : COPY_BATCH, at[COPY_BATCH + 1];
		size_t need = 0;
		for (size_t i = 0; i < m; i++) {
			size_t k = seq ? src->seq[b + i].stack : b + i;
			need += src->stacks[k].depth;
		}
		if (grow((void **)&buf, &buf_cap, need + 1, sizeof(uint32_t))) {
			err = -ENOMEM;
			goto out;
		}
		at[0] = 0;
		for (size_t i = 0; i < m; i++) {
			size_t k = seq ? src->seq[b + i].stack : b + i;
			at[i + 1] = at[i] + copy_frames(src, &src->stacks[k], map, fold, empty,
							buf + at[i]);
			if (dst->stack_index.cap)
				__builtin_prefetch(&dst->stack_index.slots[htab_start(
					&dst->stack_index, hash_ids(buf + at[i], at[i + 1] - at[i]))]);
		}
		for (size_t i = 0; i < m && !err; i++) {
			const uint32_t *f = buf + at[i];
			size_t n = at[i + 1] - at[i];
			if (seq) {
				double c = src->seq[b + i].count;
				err = add_copied(dst, src, f, n, fold,
						 c >= 1.8e19 ? UINT64_MAX : c > 0 ? (uint64_t)c : 0, c,
						 src->seq[b + i].before);
			} else {
				const struct prof_stack *s = &src->stacks[b + i];
				err = add_copied(dst, src, f, n, fold, s->count, s->fcount, s->before);
			}
		}
	}
out:
	free(map);
	free(buf);
	return err;
}

int prof_fold_recursion(struct profile *dst, const struct profile *src)
{
	return copy_stacks(dst, src, true);
}

int prof_merge(struct profile *dst, const struct profile *src)
{
	return copy_stacks(dst, src, false);
}

/* strcmp order of the folded text "f0;f1;...": walk both stacks as one virtual string each. */
int prof_stack_cmp(const struct profile *p, const struct prof_stack *a,
		   const struct prof_stack *b)
{
	const uint32_t *fa = p->pool + a->frames_off, *fb = p->pool + b->frames_off;
	uint32_t ia = 0, ib = 0;
	while (ia < a->depth && ib < b->depth) {
		if (fa[ia] == fb[ib]) {
			ia++;
			ib++;
			continue;
		}
		const struct frame_rec *x = &p->frames[fa[ia]], *y = &p->frames[fb[ib]];
		size_t n = x->len < y->len ? x->len : y->len;
		int c = memcmp(x->name, y->name, n);
		if (c)
			return c;
		/* one name is a prefix of the other: the shorter continues with ';' or ends */
		unsigned char cx, cy;
		if (x->len == n) {
			cx = ia + 1 < a->depth ? ';' : 0;
			cy = (unsigned char)y->name[n];
		} else {
			cx = (unsigned char)x->name[n];
			cy = ib + 1 < b->depth ? ';' : 0;
		}
		if (cx != cy)
			return cx < cy ? -1 : 1;
		/* equal chars: only possible when both are ';'... which a name cannot hold at n
		 * unless it contains ';' itself; fall back to comparing the joined strings. */
		goto slow;
	}
	if (ia == a->depth && ib == b->depth)
		return 0;
	return ia == a->depth ? -1 : 1;
slow:;
	/* Names containing ';' (possible from perf input): compare byte by byte. */
	uint32_t da = ia, db = ib;
	size_t oa = 0, ob = 0;
	for (;;) {
		int ca, cb;
		if (da >= a->depth)
			ca = -1;
		else if (oa < p->frames[fa[da]].len)
			ca = (unsigned char)p->frames[fa[da]].name[oa];
		else
			ca = da + 1 < a->depth ? ';' : -1;
		if (db >= b->depth)
			cb = -1;
		else if (ob < p->frames[fb[db]].len)
			cb = (unsigned char)p->frames[fb[db]].name[ob];
		else
			cb = db + 1 < b->depth ? ';' : -1;
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca == -1)
			return 0;
		if (oa < p->frames[fa[da]].len)
			oa++;
		else {
			da++;
			oa = 0;
		}
		if (ob < p->frames[fb[db]].len)
			ob++;
		else {
			db++;
			ob = 0;
		}
	}
}

/* Stacks in the order of their folded text, frame by frame (an MSD radix sort): a run of
 * stacks sharing their first d frames is split by frame d. Two stacks first differ at one
 * frame, where their texts compare as that frame's name followed by ';' when the stack goes
 * on (nothing when it ends there) -- names hold no ';', so those strings decide, and a stack
 * that ends sorts before the ones that go on. Each split groups its stacks by an integer key
 * (frame id, and whether the stack goes on) through a table indexed by that key, then sorts
 * only the distinct keys by their text: names are compared once per distinct key of a run,
 * and the stacks are moved in one pass, not sorted. */
struct sort_group {
	uint64_t key;	/* 0: ended before this frame; else 1 + (frame id << 1 | goes on) */
	uint32_t n;	/* stacks with this key in the run */
	uint32_t id;	/* the group's number in the order it was met */
};

#define SORT_AHEAD 16	/* stacks whose data a split's loop fetches ahead */

struct sort_run {
	size_t lo, hi;
	uint32_t depth;
};

/* two distinct keys of one split, by the text they stand for */
static int cmp_groups(const void *x, const void *y, void *ctx)
{
	const struct profile *p = ctx;
	uint64_t ka = ((const struct sort_group *)x)->key, kb = ((const struct sort_group *)y)->key;
	if (!ka || !kb)	/* an ended stack: first */
		return ka == kb ? 0 : !ka ? -1 : 1;
	const struct frame_rec *a = &p->frames[(ka - 1) >> 1], *b = &p->frames[(kb - 1) >> 1];
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->name, b->name, n);
	if (c)
		return c;
	/* one is a prefix of the other (or the same name): the next byte, ';' or none */
	int ca = a->len > n ? (unsigned char)a->name[n] : ((ka - 1) & 1) ? ';' : -1;
	int cb = b->len > n ? (unsigned char)b->name[n] : ((kb - 1) & 1) ? ';' : -1;
	return ca < cb ? -1 : ca > cb;
}

/* the key of stack idx at frame d (see struct sort_group) */
static inline uint64_t sort_key(const struct profile *p, uint32_t idx, uint32_t d)
{
	const struct prof_stack *st = &p->stacks[idx];
	return st->depth <= d ? 0
	       : 1 + ((uint64_t)p->pool[st->frames_off + d] << 1 | (st->depth > d + 1));
}

uint32_t *prof_sorted(const struct profile *p)
{
	size_t n = p->nstacks, nn = n ? n : 1, nkeys = 2 * p->nframes + 1;
	uint32_t *order = malloc(nn * sizeof(uint32_t));
	uint32_t *moved = malloc(nn * sizeof(uint32_t));
	uint32_t *group = malloc(nn * sizeof(uint32_t));	/* per stack of the run */
	uint32_t *at = malloc(nn * sizeof(uint32_t));	/* per group: where its stacks go */
	uint64_t *keys = malloc(nn * sizeof(uint64_t));	/* per stack of the run */
	struct sort_group *groups = malloc(nn * sizeof(*groups));
	/* per key: the split that last met it (high half) and its group there */
	uint64_t *seen = calloc(nkeys, sizeof(uint64_t));
	struct sort_run *runs = NULL;
	size_t nruns = 0, runs_cap = 0;
	uint32_t split = 0;
	if (!order || !moved || !group || !at || !keys || !groups || !seen)
		goto fail;
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	if (n > 1) {
		if (grow((void **)&runs, &runs_cap, 1, sizeof(*runs)))
			goto fail;
		runs[nruns++] = (struct sort_run){ 0, n, 0 };
	}
	while (nruns) {
		struct sort_run r = runs[--nruns];
		size_t m = r.hi - r.lo;
		uint32_t *run = order + r.lo;
		if (m == 2) {	/* two stacks: their first difference orders them */
			struct sort_group a, b;
			uint32_t d = r.depth;
			do {
				a.key = sort_key(p, run[0], d);
				b.key = sort_key(p, run[1], d++);
			} while (a.key == b.key && a.key);
			if (cmp_groups(&a, &b, (void *)p) > 0) {
				uint32_t x = run[0];
				run[0] = run[1];
				run[1] = x;
			}
			continue;
		}
		/* the run's distinct keys, each stack's group, each group's size; frames every
		 * stack shares are passed over without a new run */
		uint32_t nk;
		for (;; r.depth++) {
			if (!++split) {	/* 2^32 splits: forget them all */
				memset(seen, 0, nkeys * sizeof(*seen));
				split = 1;
			}
			nk = 0;
			/* the keys first, their stacks and frames fetched ahead: on a big profile
			 * each is a cache miss, and these loads do not depend on one another */
			for (size_t i = 0; i < m; i++) {
				if (i + 2 * SORT_AHEAD < m)
					__builtin_prefetch(&p->stacks[run[i + 2 * SORT_AHEAD]]);
				if (i + SORT_AHEAD < m) {
					const struct prof_stack *ah = &p->stacks[run[i + SORT_AHEAD]];
					if (ah->depth > r.depth)
						__builtin_prefetch(&p->pool[ah->frames_off + r.depth]);
				}
				keys[i] = sort_key(p, run[i], r.depth);
			}
			for (size_t i = 0; i < m; i++) {
				if (i + SORT_AHEAD < m)
					__builtin_prefetch(&seen[keys[i + SORT_AHEAD]]);
				uint64_t key = keys[i];
				uint32_t g;
				if (seen[key] >> 32 == split) {
					g = (uint32_t)seen[key];
				} else {
					g = nk++;
					groups[g] = (struct sort_group){ key, 0, g };
					seen[key] = (uint64_t)split << 32 | g;
				}
				groups[g].n++;
				group[i] = g;
			}
			if (nk > 1 || !groups[0].key)
				break;
		}
		if (nk > 1)
			qsort_r(groups, nk, sizeof(*groups), cmp_groups, (void *)p);
		/* lay the groups out in text order; a group of several stacks that go on is split
		 * again at the next frame (an ended key holds one stack: stacks are distinct) */
		size_t w = 0;
		for (uint32_t k = 0; k < nk; k++) {
			at[groups[k].id] = (uint32_t)w;
			if (groups[k].n > 1 && groups[k].key) {
				if (grow((void **)&runs, &runs_cap, nruns + 1, sizeof(*runs)))
					goto fail;
				runs[nruns++] = (struct sort_run){ r.lo + w, r.lo + w + groups[k].n,
								   r.depth + 1 };
			}
			w += groups[k].n;
		}
		for (size_t i = 0; i < m; i++)
			moved[at[group[i]]++] = run[i];
		memcpy(run, moved, m * sizeof(uint32_t));
	}
	free(moved);
	free(group);
	free(at);
	free(keys);
	free(groups);
	free(seen);
	free(runs);
	return order;
fail:
	free(order);
	free(moved);
	free(group);
	free(at);
	free(keys);
	free(groups);
	free(seen);
	free(runs);
	return NULL;
}

size_t fold_format_count(double v, char *buf)
{
	if (v == floor(v) && fabs(v) < 9.007199254740992e15)
		return (size_t)snprintf(buf, 32, "%.0f", v);
	int n = snprintf(buf, 32, "%.15g", v);
	return (size_t)n;
}

int fold_write(const struct profile *p, FILE *out)
{
	uint32_t *order = prof_sorted(p);
	if (!order)
		return -ENOMEM;
	char num[32];
	for (size_t k = 0; k < p->nstacks; k++) {
		const struct prof_stack *s = &p->stacks[order[k]];
		if (!s->depth)
			continue;
		const uint32_t *f = p->pool + s->frames_off;
		for (uint32_t d = 0; d < s->depth; d++) {
			if (d)
				putc_unlocked(';', out);
			fwrite(p->frames[f[d]].name, 1, p->frames[f[d]].len, out);
		}
		if (p->differential) {
			putc_unlocked(' ', out);
			fwrite(num, 1, fold_format_count(s->before, num), out);
		}
		putc_unlocked(' ', out);
		if (!p->fractional) {
			size_t n = (size_t)snprintf(num, sizeof(num), "%llu",
						    (unsigned long long)s->count);
			fwrite(num, 1, n, out);
		} else {
			fwrite(num, 1, fold_format_count(s->fcount, num), out);
		}
		putc_unlocked('\n', out);
	}
	free(order);
	return ferror(out) ? -EIO : 0;
}

void prof_diag_add(struct profile *p, const char *file, size_t line, const char *fmt, ...)
{
	p->ndiag++;
	if (p->ndiag_kept < PROF_DIAG_KEEP) {
		struct prof_diag_entry *e = &p->diag[p->ndiag_kept];
		va_list ap;
		va_start(ap, fmt);
		if (asprintf(&e->where, "%s:%zu", file ? file : "-", line) < 0)
			e->where = NULL;
		if (vasprintf(&e->msg, fmt, ap) < 0)
			e->msg = NULL;
		va_end(ap);
		if (e->where && e->msg) {
			p->ndiag_kept++;
		} else {	/* out of memory: counted, not kept */
			free(e->where);
			free(e->msg);
		}
	}
}

void prof_diag_merge(struct profile *dst, const struct profile *src)
{
	for (size_t i = 0; i < src->ndiag_kept && dst->ndiag_kept < PROF_DIAG_KEEP; i++) {
		struct prof_diag_entry *e = &dst->diag[dst->ndiag_kept];
		e->where = strdup(src->diag[i].where);
		e->msg = strdup(src->diag[i].msg);
		if (e->where && e->msg) {
			dst->ndiag_kept++;
		} else {
			free(e->where);
			free(e->msg);
		}
	}
	dst->ndiag += src->ndiag;
	for (size_t i = 0; i < src->nnotes && i < PROF_NOTE_KEEP; i++)
		prof_note_add(dst, "%s", src->notes[i]);
	if (src->nnotes > PROF_NOTE_KEEP)
		dst->nnotes += src->nnotes - PROF_NOTE_KEEP;
}

int prof_diag_overflow(struct profile *p, const char *file, size_t line)
{
	prof_diag_add(p, file, line,
		      "the stack's count overflows: kept at the largest count");
	return 0;
}

size_t prof_diag_count(const struct profile *p)
{
	return p->ndiag;
}

size_t prof_diag_kept(const struct profile *p)
{
	return p->ndiag_kept;
}

const struct prof_diag_entry *prof_diag_get(const struct profile *p, size_t i)
{
	return i < prof_diag_kept(p) ? &p->diag[i] : NULL;
}

void prof_note_add(struct profile *p, const char *fmt, ...)
{
	if (p->nnotes < PROF_NOTE_KEEP) {
		va_list ap;
		va_start(ap, fmt);
		int r = vasprintf(&p->notes[p->nnotes], fmt, ap);	/* whole, however long */
		va_end(ap);
		if (r < 0)
			return;	/* out of memory: neither kept nor counted */
	}
	p->nnotes++;
}

size_t prof_note_count(const struct profile *p)
{
	return p->nnotes;
}

const char *prof_note_get(const struct profile *p, size_t i)
{
	return i < p->nnotes && i < PROF_NOTE_KEEP ? p->notes[i] : NULL;
}

void prof_set_error(struct profile *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(p->error);
	p->error = msg ? msg : strdup("out of memory");
}

const char *prof_error(const struct profile *p)
{
	return p->error && p->error[0] ? p->error : NULL;
}
