/* Layout of the flame tree. flamegraph.pl merges stacks with its flow(): it walks the sorted
 * stacks and, for each, closes the frames that differ from the previous stack and opens the
 * new ones. Doing exactly that (not building a trie) keeps its quirks, e.g. two separate boxes
 * for one name when a sibling sorts between them, so the same input gives the same boxes. */
#include "flame.h"
#include "vec.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct builder {
	struct flame_node *nodes;
	size_t n, cap;
	uint32_t *path;		/* open node per depth */
	uint32_t *path_name;
	size_t path_len, path_cap, path_name_cap;
};

static int open_node(struct builder *b, uint32_t name, uint32_t depth, double t, bool diff)
{
	if (vec_grow((void **)&b->nodes, &b->cap, b->n + 1, sizeof(*b->nodes), 4096) ||
	    vec_grow((void **)&b->path, &b->path_cap, (size_t)depth + 1, sizeof(*b->path), 256) ||
	    vec_grow((void **)&b->path_name, &b->path_name_cap, (size_t)depth + 1,
		     sizeof(*b->path_name), 256))
		return -ENOMEM;
	b->nodes[b->n] = (struct flame_node){ .name = name, .depth = depth, .stime = t,
					      .etime = t, .has_delta = diff };
	b->path[depth] = (uint32_t)b->n++;
	b->path_name[depth] = name;
	b->path_len = depth + 1;
	return 0;
}

/* flow(): frames[0..depth) is the stack below the root; v the time it starts at. */
static int flow(struct builder *b, const uint32_t *frames, size_t depth, bool reverse, double v,
		bool diff, double d)
{
	size_t len_b = depth + 1;	/* with the root */
	size_t same = 0;
	if (b->path_len) {
		same = 1;	/* the root is shared */
		while (same < b->path_len && same < len_b) {
			uint32_t f = frames[reverse ? depth - same : same - 1];
			if (b->path_name[same] != f)
				break;
			same++;
		}
	}
	for (size_t i = b->path_len; i-- > same;)
		b->nodes[b->path[i]].etime = v;
	b->path_len = same;
	for (size_t i = same; i < len_b; i++) {
		uint32_t f = i == 0 ? FLAME_ROOT : frames[reverse ? depth - i : i - 1];
		int err = open_node(b, f, (uint32_t)i, v, diff);
		if (err)
			return err;
		/* the delta belongs to the frame the stack ends at, if that frame is new */
		if (diff && i == len_b - 1)
			b->nodes[b->path[i]].delta += d;
	}
	return 0;
}

#define FLOW_AHEAD 8	/* stacks the flow fetches ahead */

struct sort_ctx {
	const struct profile *p;
	bool reverse;
};

/* Folded-text order of stacks read leaf first (for --reverse). */
static int cmp_reversed(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct prof_stack *a = prof_stack(c->p, *(const uint32_t *)x);
	const struct prof_stack *b = prof_stack(c->p, *(const uint32_t *)y);
	const uint32_t *fa = prof_stack_frames(c->p, a), *fb = prof_stack_frames(c->p, b);
	uint32_t ia = 0, ib = 0;
	size_t oa = 0, ob = 0;
	for (;;) {
		int ca, cb;
		if (ia >= a->depth) {
			ca = -1;
		} else {
			uint32_t f = fa[a->depth - 1 - ia];
			size_t len = prof_frame_len(c->p, f);
			ca = oa < len ? (unsigned char)prof_frame_name(c->p, f)[oa]
				      : ia + 1 < a->depth ? ';' : -1;
		}
		if (ib >= b->depth) {
			cb = -1;
		} else {
			uint32_t f = fb[b->depth - 1 - ib];
			size_t len = prof_frame_len(c->p, f);
			cb = ob < len ? (unsigned char)prof_frame_name(c->p, f)[ob]
				      : ib + 1 < b->depth ? ';' : -1;
		}
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca == -1)
			return 0;
		if (oa < prof_frame_len(c->p, fa[a->depth - 1 - ia]))
			oa++;
		else
			ia++, oa = 0;
		if (ob < prof_frame_len(c->p, fb[b->depth - 1 - ib]))
			ob++;
		else
			ib++, ob = 0;
	}
}

static int cmp_double_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x > y ? -1 : x < y;
}

/* The least width kept so that at most FLAME_MAX_FRAMES nodes are drawn: the width of the
 * FLAME_MAX_FRAMES-th widest node (*out), and how many nodes of exactly that width fit
 * (*ties; SIZE_MAX: all), taken in preorder. A child is never wider than its parent and comes
 * after it, so what is kept is still a tree. min_time when the budget holds already. */
static int frame_budget(const struct flame_tree *t, double min_time, double *out, size_t *ties)
{
	size_t n = 0;
	*out = min_time;
	*ties = SIZE_MAX;
	for (size_t i = 0; i < t->n; i++)
		if (t->nodes[i].etime - t->nodes[i].stime >= min_time)
			n++;
	if (n <= FLAME_MAX_FRAMES)
		return 0;
	double *w = malloc(n * sizeof(double));
	if (!w)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		double d = t->nodes[i].etime - t->nodes[i].stime;
		if (d >= min_time)
			w[k++] = d;
	}
	qsort(w, n, sizeof(double), cmp_double_desc);
	/* keep w[0 .. FLAME_MAX_FRAMES): the nodes wider than the last kept width, and of the
	 * nodes of that width as many as are left */
	double last = w[FLAME_MAX_FRAMES - 1];
	size_t wider = 0;
	while (wider < FLAME_MAX_FRAMES && w[wider] > last)
		wider++;
	*out = last;
	*ties = FLAME_MAX_FRAMES - wider;
	free(w);
	return 0;
}

/* A node open while its descendants are walked: kept (at: its index in the compacted
 * t->nodes) or pruned (at: its index in t->elided); its width and its children's */
struct open_node {
	uint32_t depth;
	bool kept;
	size_t at;
	double width, kids;
};

/* Closes the open nodes not above depth: a kept node's span goes to its parent (kept too: a
 * child is never wider than its parent), a pruned node gets its self width. */
static void close_nodes(struct flame_tree *t, struct open_node *o, size_t *n, uint32_t depth)
{
	while (*n && o[*n - 1].depth >= depth) {
		struct open_node *c = &o[--*n];
		if (!c->kept)
			t->elided[c->at].self = fmax(0, c->width - c->kids);
		if (!*n)
			continue;
		o[*n - 1].kids += c->width;
		if (c->kept)
			t->nodes[o[*n - 1].at].span += t->nodes[c->at].span;
	}
}

/* Drops nodes narrower than minwidth (their descendants are narrower still) into t->elided
 * and computes spans, compacting the array in place; preorder is kept. */
static int prune(struct flame_tree *t, double minwidth_time, size_t ties)
{
	size_t w = 0, nopen = 0, ecap = 0;
	struct open_node *open = malloc((t->depthmax + 2) * sizeof(*open));
	uint32_t depthmax = 0;
	if (!open)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		struct flame_node nd = t->nodes[i];
		bool root = nd.name == FLAME_ROOT && nd.depth == 0;
		double width = nd.etime - nd.stime;
		bool keep = root || width >= minwidth_time;
		/* at the budget's last width, the first nodes in preorder (parents first) */
		if (keep && width == minwidth_time && ties != SIZE_MAX) {
			if (!ties && !root)
				keep = false;
			else if (ties)
				ties--;
		}
		close_nodes(t, open, &nopen, nd.depth);
		open[nopen++] = (struct open_node){ .depth = nd.depth, .kept = keep, .width = width,
						    .at = keep ? w : t->nelided };
		if (!keep) {
			if (vec_grow((void **)&t->elided, &ecap, t->nelided + 1, sizeof(*t->elided),
				     4096)) {
				free(open);
				return -ENOMEM;
			}
			t->elided[t->nelided++] = (struct flame_elided){
				.name = nd.name, .depth = nd.depth, .next = (uint32_t)w };
			continue;
		}
		nd.span = 1;
		t->nodes[w++] = nd;
		if (nd.depth > depthmax)
			depthmax = nd.depth;
	}
	close_nodes(t, open, &nopen, 0);
	free(open);
	t->n = w;
	t->depthmax = depthmax;
	return 0;
}

int flame_build(struct flame_tree *t, const struct profile *p, const struct render_opts *o)
{
	struct builder b = { 0 };
	uint32_t *order = NULL;
	int err = 0;
	bool diff = prof_differential(p);

	memset(t, 0, sizeof(*t));
	t->prof = p;
	t->differential = diff;
	t->maxdelta = 1;
	double v = 0;

	if (o->flamechart) {
		size_t nseq;
		const struct prof_seq *seq = prof_sequence(p, &nseq);
		for (size_t i = 0; i < nseq; i++) {
			const struct prof_stack *s = prof_stack(p, seq[i].stack);
			double d = seq[i].count - seq[i].before;
			if (diff && fabs(d) > t->maxdelta)
				t->maxdelta = fabs(d);
			if ((err = flow(&b, prof_stack_frames(p, s), s->depth, o->reverse, v, diff, d)))
				goto out;
			v = fmin(v + seq[i].count, DBL_MAX);	/* huge counts: finite, never inf */
		}
	} else {
		size_t n = prof_nstacks(p);
		if (o->reverse) {
			struct sort_ctx c = { .p = p, .reverse = true };
			order = malloc((n ? n : 1) * sizeof(uint32_t));
			if (!order) {
				err = -ENOMEM;
				goto out;
			}
			for (size_t i = 0; i < n; i++)
				order[i] = (uint32_t)i;
			qsort_r(order, n, sizeof(uint32_t), cmp_reversed, &c);
		} else {
			order = prof_sorted(p);
			if (!order) {
				err = -ENOMEM;
				goto out;
			}
		}
		for (size_t k = 0; k < n; k++) {
			/* the stacks come in text order, scattered in memory: fetched ahead */
			if (k + 2 * FLOW_AHEAD < n)
				__builtin_prefetch(prof_stack(p, order[k + 2 * FLOW_AHEAD]));
			if (k + FLOW_AHEAD < n)
				__builtin_prefetch(prof_stack_frames(p, prof_stack(p,
									 order[k + FLOW_AHEAD])));
			const struct prof_stack *s = prof_stack(p, order[k]);
			double d = s->fcount - s->before;
			if (diff && fabs(d) > t->maxdelta)
				t->maxdelta = fabs(d);
			if ((err = flow(&b, prof_stack_frames(p, s), s->depth, o->reverse, v, diff, d)))
				goto out;
			v = fmin(v + s->fcount, DBL_MAX);
		}
	}
	for (size_t i = b.path_len; i-- > 0;)
		b.nodes[b.path[i]].etime = v;
	b.path_len = 0;

	t->nodes = b.nodes;
	b.nodes = NULL;
	t->n = b.n;
	t->time = v;
	t->timemax = o->total > v ? o->total : v;
	for (size_t i = 0; i < t->n; i++)
		if (t->nodes[i].depth > t->depthmax)
			t->depthmax = t->nodes[i].depth;
	double widthpertime = t->timemax > 0 ? (o->width - 20.0) / t->timemax : 0;
	double minwidth_time = o->minwidth_pct ? t->timemax * o->minwidth / 100.0
			       : widthpertime > 0 ? o->minwidth / widthpertime : 0;
	size_t ties;
	if ((err = frame_budget(t, minwidth_time, &minwidth_time, &ties)) ||
	    (err = prune(t, minwidth_time, ties)))
		goto out;
	/* the root spans the whole width, even with a --total beyond the data */
	if (t->n)
		t->nodes[0].etime = t->timemax;
out:
	if (err)
		flame_free(t);
	free(order);
	free(b.nodes);
	free(b.path);
	free(b.path_name);
	return err;
}

void flame_free(struct flame_tree *t)
{
	free(t->nodes);
	free(t->elided);
	memset(t, 0, sizeof(*t));
}

const char *flame_full_name(const struct flame_tree *t, const struct flame_node *n, size_t *len)
{
	if (n->name == FLAME_ROOT) {
		*len = 0;
		return "";
	}
	*len = prof_frame_len(t->prof, n->name);
	return prof_frame_name(t->prof, n->name);
}

const char *flame_name(const struct flame_tree *t, const struct flame_node *n, size_t *len)
{
	const char *s = flame_full_name(t, n, len);
	/* s/_\[[kwij]\]$// */
	if (*len >= 4 && s[*len - 4] == '_' && s[*len - 3] == '[' && s[*len - 1] == ']' &&
	    strchr("kwij", s[*len - 2]) && s[*len - 2])
		*len -= 4;
	return s;
}
