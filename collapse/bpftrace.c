/* bpftrace map dumps folded into stacks. bpftrace prints `@name[key, key...]: value`, where a
 * stack key spans lines: a newline, one indented frame per line (leaf first), and the next key
 * starts a line with `,`. Each entry is rebuilt from those pieces; scalar keys become root
 * frames in key order, then the user stack, then the kernel stack on top. Maps that never hold
 * a stack (@cpu[1]: 5, @n: 3) are skipped with a note. Rules: README, "bpftrace rules". */
#include "collapse.h"
#include "chars.h"
#include "htab.h"
#include "u32vec.h"
#include "vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BT_EMPTY_NAME "[no stack]"

enum bt_kind { BT_UNKNOWN = 0, BT_KERNEL, BT_USER };

struct bt_stack {
	size_t first, n;	/* frames in state.stack_frames, leaf first */
	enum bt_kind kind;	/* as the frames tell */
	enum bt_kind final;	/* as the entry decides (entry_finish) */
	bool root_is_entry;	/* the outermost frame is a kernel entry point */
};

struct bt_map {
	struct htab_name key;	/* first: htab_find_name reads it */
	bool has_stack;
	size_t entries;
};

struct bt_entry {
	uint32_t map;
	uint32_t off, n;	/* final frames, root first, in state.out_frames */
	uint64_t count;
	size_t lineno;	/* where the entry ended, for diagnostics */
};

struct bt_state {
	struct profile *p;
	const struct collapse_opts *o;
	/* the entry being read */
	bool in_entry;
	uint32_t map;
	struct u32vec scalars;
	struct u32vec stack_frames;
	struct bt_stack *stacks;	/* the entry's stack keys, as many as it has */
	size_t nstacks, stacks_cap;
	bool stack_open;
	/* finished entries, added once we know which maps hold stacks */
	struct bt_map *maps;
	size_t nmaps, maps_cap;
	struct htab map_index;	/* by name: a dump of 40k maps stays linear */
	struct bt_entry *entries;
	size_t nentries, entries_cap;
	struct u32vec out_frames;
	struct u32vec kernel_ids;	/* frame id -> id of "name_[k]" + 1, for --kernel */
	char *scratch;		/* one frame name being built, as long as it needs */
	size_t scratch_cap;
};

static int scratch_reserve(struct bt_state *st, size_t need)
{
	return vec_grow((void **)&st->scratch, &st->scratch_cap, need, 1, 256);
}


static bool all_hex(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ch_hex(s[i]) < 0)
			return false;
	return true;
}


/* lines are not NUL-terminated: strncmp could read past one (found by fuzz_bpftrace) */
static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && !memcmp(s, prefix, k);
}

/* canonical x86-64 kernel half */
static bool kernel_addr(uint64_t a)
{
	return a >= 0xffff800000000000ULL;
}

/* Outermost frames of a kernel stack are entry points: syscalls, interrupts and exceptions
 * (asm_*), idle and boot (start_kernel...), kernel threads (ret_from_fork). A stack printed
 * by symbol only is taken as kernel when its root frame is one of them. */
static bool kernel_entry_name(const char *s, size_t n)
{
	static const char *const prefixes[] = {
		"entry_SYSCALL", "entry_INT80", "asm_", "ret_from_fork", "secondary_startup",
		"common_startup", "start_kernel", "x86_64_start", "kthread", "cpu_startup_entry",
		"do_syscall_64", "__x64_sys_", "xen_", "el0t_", "el1h_", "ret_from_",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t l = strlen(prefixes[i]);
		if (n >= l && memcmp(s, prefixes[i], l) == 0)
			return true;
	}
	return false;
}

/* "sym+123" or "sym+0x1f" -> "sym" */
static size_t strip_offset(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && ch_hex(s[i - 1]) >= 0)
		i--;
	if (i < n && i >= 1 && s[i - 1] == '+') {
		for (size_t k = i; k < n; k++)
			if (s[k] < '0' || s[k] > '9')
				goto hex;
		return i - 1;
	}
hex:
	if (i < n && i >= 3 && s[i - 1] == 'x' && s[i - 2] == '0' && s[i - 3] == '+')
		return i - 3;
	return n;
}

static int intern(struct bt_state *st, const char *s, size_t n, uint32_t *id)
{
	int64_t r = prof_intern(st->p, s, n);
	*id = 0;
	if (r < 0)
		return (int)r;
	*id = (uint32_t)r;
	return 0;
}

/* One indented frame line, in any of the three forms bpftrace prints:
 *   sym+off                      (default)
 *   ADDR sym+off [(module)]      (kstack(perf)/ustack(perf); no module for kernel frames)
 *   0xADDR / ADDR                (unresolved, or kstack(raw)) */
static int frame_line(struct bt_state *st, const char *s, size_t n)
{
	const struct collapse_opts *o = st->o;
	struct bt_stack *stk;
	enum bt_kind kind = BT_UNKNOWN;
	const char *sym = s, *mod = NULL;
	size_t sym_n = n, mod_n = 0;
	uint64_t addr = 0;
	bool have_addr = false, unresolved = false;

	if (!st->stack_open) {
		if (vec_grow((void **)&st->stacks, &st->stacks_cap, st->nstacks + 1,
			     sizeof(*st->stacks), 4))
			return -ENOMEM;
		st->stacks[st->nstacks++] = (struct bt_stack){ .first = st->stack_frames.len };
		st->stack_open = true;
	}
	stk = &st->stacks[st->nstacks - 1];

	const char *sp = memchr(s, ' ', n);
	size_t t1 = sp ? (size_t)(sp - s) : n;
	if (sp && all_hex(s, t1)) {
		/* perf form */
		addr = ch_parse_hex(s, t1, NULL);
		have_addr = true;
		sym = sp + 1;
		sym_n = n - t1 - 1;
		if (sym_n && sym[sym_n - 1] == ')') {
			for (size_t i = sym_n - 1; i-- > 1;) {
				if (sym[i] == '(' && sym[i - 1] == ' ') {
					mod = sym + i + 1;
					mod_n = sym_n - 1 - (i + 1);
					sym_n = i - 1;
					break;
				}
			}
		}
		if (mod)
			kind = (mod_n && mod[0] == '[' && !(mod_n == 9 && !memcmp(mod, "[unknown]", 9)))
				       ? BT_KERNEL : BT_USER;
		else
			kind = BT_KERNEL;	/* bpftrace prints no module for kernel frames */
		if (sym_n > 2 && sym[0] == '0' && sym[1] == 'x' && all_hex(sym + 2, sym_n - 2))
			unresolved = true;
	} else if (n > 2 && s[0] == '0' && s[1] == 'x' && all_hex(s + 2, n - 2)) {
		addr = ch_parse_hex(s + 2, n - 2, NULL);
		have_addr = unresolved = true;
	} else if (!sp && n >= 8 && all_hex(s, n)) {
		addr = ch_parse_hex(s, n, NULL);
		have_addr = unresolved = true;
	}
	if (have_addr && addr)
		kind = kernel_addr(addr) ? BT_KERNEL : kind == BT_UNKNOWN ? BT_USER : kind;
	if (kind != BT_UNKNOWN && stk->kind == BT_UNKNOWN)
		stk->kind = kind;

	size_t len = 0;
	if (scratch_reserve(st, (mod_n > sym_n ? mod_n : sym_n) + 32))
		return -ENOMEM;
	char *buf = st->scratch;
	size_t cap = st->scratch_cap;
	if (unresolved) {
		/* like stackcollapse-perf: the module's base name if known, else [unknown];
		 * --addrs keeps the address */
		const char *name = "unknown";
		size_t name_n = 7;
		if (mod && !(mod_n == 9 && !memcmp(mod, "[unknown]", 9))) {
			const char *slash = memrchr(mod, '/', mod_n);
			name = slash ? slash + 1 : mod;
			name_n = mod_n - (size_t)(name - mod);
		}
		/* built by hand: a name of any length (no int-sized %.*s) */
		buf[len++] = '[';
		memcpy(buf + len, name, name_n);
		len += name_n;
		if (o->addrs)
			len += (size_t)snprintf(buf + len, cap - len, " <%llx>",
						(unsigned long long)addr);
		buf[len++] = ']';
	} else {
		if (!o->addrs)
			sym_n = strip_offset(sym, sym_n);
		len = sym_n;
		memcpy(buf, sym, len);
	}
	uint32_t id;
	int err = intern(st, buf, len, &id);
	if (err)
		return err;
	if ((err = u32vec_push(&st->stack_frames, id)))
		return err;
	stk->n++;
	/* frames come leaf first: the last one seen is the root */
	stk->root_is_entry = !unresolved && kernel_entry_name(buf, len);
	return 0;
}

/* The text of one line that holds keys: `k1, k2` (scalars), with a trailing empty part when a
 * stack key starts on the next line, or ending the entry with `]: VALUE`. */
static int key_segment(struct bt_state *st, const char *s, size_t n, bool *ended,
		       uint64_t *value, bool *bad)
{
	*ended = false;
	*bad = false;
	/* `]: N` at the end closes the entry */
	size_t e = n;
	while (e > 0 && ch_space(s[e - 1]))
		e--;
	size_t d = e;
	while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		d--;
	if (d < e && d >= 3 && s[d - 1] == ' ' && s[d - 2] == ':' && s[d - 3] == ']') {
		uint64_t v = 0;
		for (size_t i = d; i < e; i++) {
			uint64_t nv = v * 10 + (uint64_t)(s[i] - '0');
			if (nv / 10 != v) {
				*bad = true;
				return 0;
			}
			v = nv;
		}
		*value = v;
		*ended = true;
		n = d - 3;
	} else if (d < e && d >= 4 && s[d - 1] == '-' && s[d - 2] == ' ' && s[d - 3] == ':' &&
		   s[d - 4] == ']') {
		*bad = true;	/* a negative value: not a sample count */
		return 0;
	}
	/* split on ", " */
	size_t start = 0;
	for (size_t i = 0;; i++) {
		bool at_sep = i + 1 < n && s[i] == ',' && s[i + 1] == ' ';
		if (i < n && !at_sep)
			continue;
		size_t part = i - start;
		bool last = i >= n;
		if (last && !*ended) {
			/* a trailing empty part: a stack key starts on the next line */
			if (part == 0)
				return 0;
		}
		if (part) {
			uint32_t id;
			int err = intern(st, s + start, part, &id);
			if (err)
				return err;
			if ((err = u32vec_push(&st->scalars, id)))
				return err;
		}
		if (last)
			return 0;
		start = i + 2;
		i++;
	}
}

static void entry_reset(struct bt_state *st)
{
	st->in_entry = false;
	st->scalars.len = 0;
	st->stack_frames.len = 0;
	st->nstacks = 0;
	st->stack_open = false;
}

static int kernel_id(struct bt_state *st, uint32_t id, uint32_t *out)
{
	while (st->kernel_ids.len <= id)
		if (u32vec_push(&st->kernel_ids, 0))
			return -ENOMEM;
	if (!st->kernel_ids.v[id]) {
		size_t n = prof_frame_len(st->p, id);
		if (scratch_reserve(st, n + 4))
			return -ENOMEM;
		char *buf = st->scratch;
		memcpy(buf, prof_frame_name(st->p, id), n);
		memcpy(buf + n, "_[k]", 4);
		uint32_t k = 0;
		int err = intern(st, buf, n + 4, &k);
		if (err)
			return err;
		st->kernel_ids.v[id] = k + 1;
	}
	*out = st->kernel_ids.v[id] - 1;
	return 0;
}

static int push_stack(struct bt_state *st, const struct bt_stack *stk, bool kernel)
{
	for (size_t i = stk->n; i-- > 0;) {
		uint32_t id = st->stack_frames.v[stk->first + i];
		if (kernel && st->o->kernel) {
			int err = kernel_id(st, id, &id);
			if (err)
				return err;
		}
		if (u32vec_push(&st->out_frames, id))
			return -ENOMEM;
	}
	return 0;
}

static int entry_finish(struct bt_state *st, uint64_t count, size_t lineno)
{
	struct bt_map *m = &st->maps[st->map];
	size_t off = st->out_frames.len;
	int err;

	m->entries++;
	for (size_t i = 0; i < st->nstacks; i++) {
		struct bt_stack *s = &st->stacks[i];
		s->final = s->kind;
		if (s->final == BT_UNKNOWN && s->n && s->root_is_entry)
			s->final = BT_KERNEL;
		if (s->n)
			m->has_stack = true;
	}
	/* two stack keys: one of each kind. Undecided ones take what the other is not, and
	 * `kstack, ustack` (the order bpftrace's docs and most scripts use) when neither tells. */
	if (st->nstacks == 2) {
		if (st->stacks[0].final == BT_UNKNOWN && st->stacks[1].final == BT_UNKNOWN) {
			st->stacks[0].final = BT_KERNEL;
			st->stacks[1].final = BT_USER;
		} else if (st->stacks[0].final == BT_UNKNOWN) {
			st->stacks[0].final = st->stacks[1].final == BT_KERNEL ? BT_USER : BT_KERNEL;
		} else if (st->stacks[1].final == BT_UNKNOWN) {
			st->stacks[1].final = st->stacks[0].final == BT_KERNEL ? BT_USER : BT_KERNEL;
		}
	}
	for (size_t i = 0; i < st->nstacks; i++)
		if (st->stacks[i].final == BT_UNKNOWN)
			st->stacks[i].final = BT_USER;

	for (size_t i = 0; i < st->scalars.len; i++)
		if ((err = u32vec_push(&st->out_frames, st->scalars.v[i])))
			return err;
	for (size_t i = 0; i < st->nstacks; i++)
		if (st->stacks[i].final == BT_USER && (err = push_stack(st, &st->stacks[i], false)))
			return err;
	for (size_t i = 0; i < st->nstacks; i++)
		if (st->stacks[i].final == BT_KERNEL && (err = push_stack(st, &st->stacks[i], true)))
			return err;
	if (st->out_frames.len == off) {
		/* an entry with no frames at all (`@[]: 46`: samples with no kernel stack) still
		 * counts, so totals are preserved */
		uint32_t id;
		if ((err = intern(st, BT_EMPTY_NAME, strlen(BT_EMPTY_NAME), &id)) ||
		    (err = u32vec_push(&st->out_frames, id)))
			return err;
	}
	if (vec_grow((void **)&st->entries, &st->entries_cap, st->nentries + 1,
		     sizeof(*st->entries), 256))
		return -ENOMEM;
	st->entries[st->nentries++] = (struct bt_entry){
		.map = st->map, .off = (uint32_t)off, .n = (uint32_t)(st->out_frames.len - off),
		.count = count, .lineno = lineno };
	entry_reset(st);
	return 0;
}

static int map_index(struct bt_state *st, const char *name, size_t n, uint32_t *idx)
{
	size_t j = 0;
	long found = htab_find_name(&st->map_index, st->maps, sizeof(*st->maps), name, n, &j);
	if (found >= 0) {
		*idx = (uint32_t)found;
		return 0;
	}
	if (vec_grow((void **)&st->maps, &st->maps_cap, st->nmaps + 1, sizeof(*st->maps), 16))
		return -ENOMEM;
	st->maps[st->nmaps] = (struct bt_map){ 0 };
	if (htab_name_init(&st->maps[st->nmaps].key, name, n))
		return -ENOMEM;
	*idx = (uint32_t)st->nmaps++;
	return htab_put(&st->map_index, j, *idx, st->nmaps, &st->maps[0].key.hash,
			sizeof(struct bt_map));
}

/* A line starting with '@': `@name[keys...` opens an entry; `@name: value` is a scalar map. */
static int entry_start(struct bt_state *st, struct line_reader *lr, const char *s, size_t n)
{
	size_t i = 1;
	while (i < n && s[i] != '[' && s[i] != ':')
		i++;
	uint32_t idx;
	int err = map_index(st, s, i, &idx);
	if (err)
		return err;
	if (i >= n || s[i] == ':') {
		st->maps[idx].entries++;	/* @n: 3, a map without keys */
		return 0;
	}
	st->in_entry = true;
	st->map = idx;
	bool ended, bad;
	uint64_t value = 0;
	if ((err = key_segment(st, s + i + 1, n - i - 1, &ended, &value, &bad)))
		return err;
	if (bad) {
		prof_diag_add(st->p, lr_name(lr), lr_lineno(lr), "bad map value");
		entry_reset(st);
		return 0;
	}
	return ended ? entry_finish(st, value, lr_lineno(lr)) : 0;
}

int bt_collapse(struct profile *p, struct line_reader *lr, const struct collapse_opts *o)
{
	struct bt_state *st = calloc(1, sizeof(*st));
	const char *line;
	size_t len;
	int r, err = 0;
	size_t skipped_text = 0;

	if (!st)
		return -ENOMEM;
	st->p = p;
	st->o = o;
	while ((r = lr_next(lr, &line, &len)) > 0) {
		if (len && line[len - 1] == '\r')
			len--;
		if (!st->in_entry) {
			size_t i = 0;
			while (i < len && ch_space(line[i]))
				i++;
			if (i == len)
				continue;
			if (line[0] == '@') {
				if ((err = entry_start(st, lr, line, len)))
					goto out;
			} else if (starts(line, len, "Attaching ") || starts(line, len, "ERROR:") ||
				   starts(line, len, "WARNING:") || starts(line, len, "Lost ")) {
				skipped_text++;	/* bpftrace's own messages */
			} else {
				prof_diag_add(p, lr_name(lr), lr_lineno(lr),
					      "not part of a map entry");
			}
			continue;
		}
		/* inside an entry: a frame, a `, key...` line, or `]: N` after the frames */
		if (len && (line[0] == ' ' || line[0] == '\t')) {
			size_t i = 0;
			while (i < len && ch_space(line[i]))
				i++;
			size_t e = len;
			while (e > i && ch_space(line[e - 1]))
				e--;
			if (e > i && (err = frame_line(st, line + i, e - i)))
				goto out;
			continue;
		}
		if (len && (line[0] == ',' || line[0] == ']')) {
			st->stack_open = false;
			bool ended, bad;
			uint64_t value = 0;
			const char *seg = line;
			size_t seg_n = len;
			if (line[0] == ',') {
				seg++;
				seg_n--;
				if (seg_n && seg[0] == ' ') {
					seg++;
					seg_n--;
				}
			}
			if ((err = key_segment(st, seg, seg_n, &ended, &value, &bad)))
				goto out;
			if (bad || (line[0] == ']' && !ended)) {
				prof_diag_add(p, lr_name(lr), lr_lineno(lr), "bad map value");
				entry_reset(st);
				continue;
			}
			if (ended && (err = entry_finish(st, value, lr_lineno(lr))))
				goto out;
			continue;
		}
		/* anything else ends the broken entry; a new one may start here */
		prof_diag_add(p, lr_name(lr), lr_lineno(lr), "unterminated map entry");
		entry_reset(st);
		if (len && line[0] == '@' && (err = entry_start(st, lr, line, len)))
			goto out;
	}
	if (r < 0) {
		err = r;
		goto out;
	}
	if (st->in_entry)
		prof_diag_add(p, lr_name(lr), lr_lineno(lr), "unterminated map entry at end of input");

	size_t stack_maps = 0;
	for (size_t i = 0; i < st->nmaps; i++) {
		if (st->maps[i].has_stack)
			stack_maps++;
		else
			prof_note_add(p, "%s: skipped %s (%zu entr%s): it holds no stacks",
				      lr_name(lr), st->maps[i].key.name, st->maps[i].entries,
				      st->maps[i].entries == 1 ? "y" : "ies");
	}
	if (stack_maps > 1)
		prof_note_add(p, "%s: %zu stack maps merged into one profile", lr_name(lr),
			      stack_maps);
	for (size_t i = 0; i < st->nentries; i++) {
		const struct bt_entry *e = &st->entries[i];
		if (!st->maps[e->map].has_stack)
			continue;
		err = prof_add(p, st->out_frames.v + e->off, e->n, e->count);
		if (err == -EOVERFLOW)
			err = prof_diag_overflow(p, lr_name(lr), e->lineno);
		if (err)
			goto out;
	}
out:
	for (size_t i = 0; i < st->nmaps; i++)
		free(st->maps[i].key.name);
	free(st->maps);
	htab_free(&st->map_index);
	free(st->entries);
	free(st->scalars.v);
	free(st->stack_frames.v);
	free(st->out_frames.v);
	free(st->kernel_ids.v);
	free(st->stacks);
	free(st->scratch);
	free(st);
	return err;
}
