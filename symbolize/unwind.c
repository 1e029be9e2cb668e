/* Unwinding of copied user stacks (--call-graph dwarf): the sampler hands over the registers
 * and the live stack bytes of a sample; the binaries' CFI (.eh_frame, else .debug_frame, read
 * by libdw) says where each caller's registers were saved. Two unwinders give the same frames:
 * the default asks libdw for the rules of a PC once, caches them per module and applies them
 * here; the reference is plain libdw (dwfl_attach_state + dwfl_getthread_frames), kept to
 * check the first against and to measure what the cache buys (bench/unwind). */
#include "sym_int.h"
#include "vec.h"

#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RA_REG 16	/* x86_64: the return address column is rip */
/* no user code lies at or above this (x86_64 user space ends below 2^47, or 2^56 with 5-level
 * paging): a return address there is garbage from the stack, and ends it */
#define USER_PC_END (1ULL << 56)
#define FP_REG 6
#define SP_REG 7

/* how a caller's register is recovered, from dwarf_frame_register */
enum { UR_UNSET, UR_UNDEF, UR_SAME, UR_AT_CFA, UR_VAL_CFA, UR_EXPR };
#define UNW_CFA_EXPR 0xff	/* the CFA is a DWARF expression */
#define UNW_F_SIGNAL 1		/* a signal frame: its caller's PC is exact, not a return address */
#define UNW_F_NOFDE 2		/* no CFI covers the address: frame-pointer fallback */
#define UNW_F_EXPR 4		/* some rule is an expression: evaluated from libdw's frame */

struct unw_rule {
	int32_t cfa_off;
	int32_t off[SYM_NREGS];		/* UR_AT_CFA / UR_VAL_CFA offsets */
	uint8_t cfa_reg;
	uint8_t kind[SYM_NREGS];
	uint8_t ra, flags;
};

/* a frame's registers; set has bit r when r is known */
struct ustate {
	uint64_t r[SYM_NREGS];
	uint32_t set;
};

/* reads of the copied stack; beyond notes a read past its end (the copy was too short) */
struct reader {
	const struct sym_stack_copy *c;
	bool beyond;
};

static bool read_word(struct reader *rd, uint64_t addr, uint64_t *v)
{
	uint64_t sp = rd->c->regs[SP_REG], len = rd->c->len;
	if (addr < sp || addr - sp > len || len - (addr - sp) < 8) {
		if (addr >= sp && addr - sp + 8 > len)
			rd->beyond = true;
		return false;
	}
	memcpy(v, rd->c->bytes + (addr - sp), 8);
	return true;
}

void unw_module_free(struct module *m)
{
	/* the CFI objects belong to the module's Dwfl */
	free(m->rules);
	fc_free(&m->rule_cache);
	if (m->ref_fd >= 0)
		close(m->ref_fd);
}

void unw_proc_free(struct proc *pr)
{
	if (pr->ref_dwfl)
		dwfl_end(pr->ref_dwfl);
	free(pr->ref);
}

/* libdw's frame for an address: .eh_frame first, then .debug_frame, as libdwfl unwinds */
static Dwarf_Frame *cfi_frame(struct module *m, uint64_t vaddr)
{
	Dwarf_Frame *f = NULL;
	Dwarf_Addr bias;
	Dwarf_CFI *cfi = dwfl_module_eh_cfi(m->mod, &bias);
	if (cfi && dwarf_cfi_addrframe(cfi, vaddr - bias, &f) == 0)
		return f;
	cfi = dwfl_module_dwarf_cfi(m->mod, &bias);
	if (cfi && dwarf_cfi_addrframe(cfi, vaddr - bias, &f) == 0)
		return f;
	return NULL;
}

static bool small(Dwarf_Word v, int32_t *out)
{
	int64_t x = (int64_t)v;
	if (x < INT32_MIN || x > INT32_MAX)
		return false;
	*out = (int32_t)x;
	return true;
}

/* Reduces libdw's description of a frame to a rule; anything but the common shapes (CFA =
 * register + offset; a register at, or equal to, CFA + offset) is marked UR_EXPR. */
static void make_rule(Dwarf_Frame *f, struct unw_rule *u)
{
	memset(u, 0, sizeof(*u));
	Dwarf_Addr start, end;
	bool signalp = false;
	int ra = dwarf_frame_info(f, &start, &end, &signalp);
	u->ra = ra >= 0 && ra < SYM_NREGS ? (uint8_t)ra : RA_REG;
	if (signalp)
		u->flags |= UNW_F_SIGNAL;
	Dwarf_Op *ops;
	size_t nops;
	u->cfa_reg = UNW_CFA_EXPR;
	if (dwarf_frame_cfa(f, &ops, &nops) == 0 && nops == 1) {
		if (ops[0].atom == DW_OP_bregx && ops[0].number < SYM_NREGS &&
		    small(ops[0].number2, &u->cfa_off))
			u->cfa_reg = (uint8_t)ops[0].number;
		else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom < DW_OP_breg0 + SYM_NREGS &&
			 small(ops[0].number, &u->cfa_off))
			u->cfa_reg = (uint8_t)(ops[0].atom - DW_OP_breg0);
	}
	if (u->cfa_reg == UNW_CFA_EXPR)
		u->flags |= UNW_F_EXPR;
	for (int r = 0; r < SYM_NREGS; r++) {
		Dwarf_Op mem[3];
		if (dwarf_frame_register(f, r, mem, &ops, &nops) != 0) {
			u->kind[r] = UR_UNSET;
			continue;
		}
		if (nops == 0) {
			u->kind[r] = ops == mem ? UR_UNDEF : ops == NULL ? UR_SAME : UR_UNSET;
			continue;
		}
		bool value = ops[nops - 1].atom == DW_OP_stack_value;
		size_t n = value ? nops - 1 : nops;
		u->kind[r] = UR_EXPR;
		if (ops[0].atom != DW_OP_call_frame_cfa)
			;
		else if (n == 1)
			u->kind[r] = value ? UR_VAL_CFA : UR_AT_CFA;
		else if (n == 2 && ops[1].atom == DW_OP_plus_uconst && small(ops[1].number, &u->off[r]))
			u->kind[r] = value ? UR_VAL_CFA : UR_AT_CFA;
		if (u->kind[r] == UR_EXPR)
			u->flags |= UNW_F_EXPR;
	}
}

/* ---- a DWARF expression evaluator for the rare rules that are expressions (PLT entries,
 * realigned stacks), with libdwfl's semantics: a failure leaves the register unknown ---- */

static bool get_reg(const struct ustate *st, uint64_t r, uint64_t *v)
{
	if (r >= SYM_NREGS || !(st->set & (1u << r)))
		return false;
	*v = st->r[r];
	return true;
}

static bool eval(const Dwarf_Op *ops, size_t nops, Dwarf_Frame *f, const struct ustate *st,
		 struct reader *rd, uint64_t *out)
{
	uint64_t stk[64], a, b;
	size_t sp = 0, steps = 0;
	bool location = false;
#define PUSH(x) do { if (sp == 64) return false; stk[sp++] = (x); } while (0)
#define POP(x) do { if (!sp) return false; (x) = stk[--sp]; } while (0)
	for (const Dwarf_Op *op = ops; op < ops + nops; op++) {
		if (++steps > 1000)
			return false;
		uint8_t at = op->atom;
		if (at >= DW_OP_lit0 && at <= DW_OP_lit31) {
			PUSH(at - DW_OP_lit0);
		} else if (at >= DW_OP_reg0 && at <= DW_OP_reg31) {
			if (!get_reg(st, at - DW_OP_reg0, &a))
				return false;
			PUSH(a);
		} else if (at >= DW_OP_breg0 && at <= DW_OP_breg31) {
			if (!get_reg(st, at - DW_OP_breg0, &a))
				return false;
			PUSH(a + op->number);
		} else {
			switch (at) {
			case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u:
			case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
			case DW_OP_const8u: case DW_OP_const8s: case DW_OP_constu: case DW_OP_consts:
				PUSH(op->number);
				break;
			case DW_OP_regx:
				if (!get_reg(st, op->number, &a))
					return false;
				PUSH(a);
				break;
			case DW_OP_bregx:
				if (!get_reg(st, op->number, &a))
					return false;
				PUSH(a + op->number2);
				break;
			case DW_OP_dup: POP(a); PUSH(a); PUSH(a); break;
			case DW_OP_drop: POP(a); break;
			case DW_OP_over: POP(a); POP(b); PUSH(b); PUSH(a); PUSH(b); break;
			case DW_OP_swap: POP(a); POP(b); PUSH(a); PUSH(b); break;
			case DW_OP_pick:
				if (sp <= op->number)
					return false;
				a = stk[sp - 1 - op->number];
				PUSH(a);
				break;
			case DW_OP_deref:
				POP(a);
				if (!read_word(rd, a, &a))
					return false;
				PUSH(a);
				break;
			case DW_OP_deref_size:
				POP(a);
				if (op->number > 8 || !read_word(rd, a, &a))
					return false;
				if (op->number < 8)
					a &= (1ULL << (op->number * 8)) - 1;
				PUSH(a);
				break;
			case DW_OP_abs: POP(a); PUSH((int64_t)a < 0 ? -a : a); break;
			case DW_OP_neg: POP(a); PUSH(-a); break;
			case DW_OP_not: POP(a); PUSH(~a); break;
			case DW_OP_plus_uconst: POP(a); PUSH(a + op->number); break;
#define BIN(code, expr) case code: POP(b); POP(a); PUSH(expr); break;
			BIN(DW_OP_and, a & b)
			BIN(DW_OP_or, a | b)
			BIN(DW_OP_xor, a ^ b)
			BIN(DW_OP_plus, a + b)
			BIN(DW_OP_minus, a - b)
			BIN(DW_OP_mul, a * b)
			BIN(DW_OP_shl, a << (b & 63))
			BIN(DW_OP_shr, a >> (b & 63))
			BIN(DW_OP_shra, (uint64_t)((int64_t)a >> (b & 63)))
			BIN(DW_OP_le, (int64_t)a <= (int64_t)b)
			BIN(DW_OP_ge, (int64_t)a >= (int64_t)b)
			BIN(DW_OP_eq, a == b)
			BIN(DW_OP_lt, (int64_t)a < (int64_t)b)
			BIN(DW_OP_gt, (int64_t)a > (int64_t)b)
			BIN(DW_OP_ne, a != b)
#undef BIN
			case DW_OP_nop:
				break;
			case DW_OP_call_frame_cfa: {
				Dwarf_Op *cops;
				size_t cn;
				if (!f || dwarf_frame_cfa(f, &cops, &cn) != 0 ||
				    !eval(cops, cn, NULL, st, rd, &a))
					return false;
				PUSH(a);
				location = true;
				break;
			}
			case DW_OP_stack_value:
				location = false;
				break;
			default:	/* branches and the rest: not seen in x86_64 CFI */
				return false;
			}
		}
	}
#undef PUSH
#undef POP
	if (!sp)
		return false;
	*out = stk[sp - 1];
	return !location || read_word(rd, *out, out);
}

/* One step from cur to its caller through a rule (or libdw's frame f for expressions).
 * Returns 1 with next set, or 0 at the end of the stack with *end. */
static int apply_rule(const struct unw_rule *u, Dwarf_Frame *f, const struct ustate *cur,
		      struct ustate *next, struct reader *rd, enum sym_unwind_end *end)
{
	uint64_t cfa = 0, v;
	bool have_cfa = false, ra_undef = false;
	if (u->cfa_reg != UNW_CFA_EXPR) {
		have_cfa = get_reg(cur, u->cfa_reg, &cfa);
		cfa += (uint64_t)(int64_t)u->cfa_off;
	} else {
		Dwarf_Op *ops;
		size_t n;
		have_cfa = f && dwarf_frame_cfa(f, &ops, &n) == 0 && eval(ops, n, NULL, cur, rd, &cfa);
	}
	next->set = 0;
	for (int r = 0; r < SYM_NREGS; r++) {
		bool ok = false;
		switch (u->kind[r]) {
		case UR_UNDEF:
			if (r == u->ra)
				ra_undef = true;
			break;
		case UR_SAME:
			ok = get_reg(cur, r, &v);
			break;
		case UR_AT_CFA:
			ok = have_cfa && read_word(rd, cfa + (uint64_t)(int64_t)u->off[r], &v);
			break;
		case UR_VAL_CFA:
			ok = have_cfa;
			v = cfa + (uint64_t)(int64_t)u->off[r];
			break;
		case UR_EXPR: {
			Dwarf_Op mem[3], *ops;
			size_t n;
			ok = f && dwarf_frame_register(f, r, mem, &ops, &n) == 0 && n &&
			     eval(ops, n, f, cur, rd, &v);
			break;
		}
		}
		if (ok) {
			next->r[r] = v;
			next->set |= 1u << r;
		}
	}
	if (ra_undef || ((next->set >> u->ra) & 1 && next->r[u->ra] == 0)) {
		*end = SYM_UNW_COMPLETE;
		return 0;
	}
	if (!((next->set >> u->ra) & 1)) {
		*end = rd->beyond ? SYM_UNW_COPY : SYM_UNW_BAD;
		return 0;
	}
	next->r[RA_REG] = next->r[u->ra];
	next->set |= 1u << RA_REG;
	return 1;
}

/* No CFI for the address: step through the frame pointer, as libdwfl's x86_64 fallback does
 * (JIT code and hand-written assembly mostly keep one). */
static int fp_step(const struct ustate *cur, struct ustate *next, struct reader *rd,
		   enum sym_unwind_end *end)
{
	uint64_t fp = 0, prev = 0, ret;
	get_reg(cur, FP_REG, &fp);
	if (!read_word(rd, fp, &prev))
		prev = 0;
	if (!read_word(rd, fp + 8, &ret) || !ret) {
		*end = rd->beyond ? SYM_UNW_COPY : SYM_UNW_NO_CFI;
		return 0;
	}
	next->set = 1u << FP_REG | 1u << SP_REG | 1u << RA_REG;
	next->r[FP_REG] = prev;
	next->r[SP_REG] = fp + 16;
	next->r[RA_REG] = ret;
	return 1;
}

/* the cached rule for a module address, asking libdw on a miss */
static const struct unw_rule *rule_at(struct sym_session *s, struct module *m, uint64_t vaddr)
{
	s->ustats.rule_lookups++;
	const struct fc_entry *hit = fc_find(&m->rule_cache, vaddr);
	if (hit)
		return &m->rules[hit->off];
	s->ustats.rule_misses++;
	if (vec_grow((void **)&m->rules, &m->rules_cap, m->nrules + 1, sizeof(*m->rules), 256))
		return NULL;
	struct unw_rule *u = &m->rules[m->nrules];
	Dwarf_Frame *f = cfi_frame(m, vaddr);
	if (f) {
		make_rule(f, u);
		free(f);
	} else {
		memset(u, 0, sizeof(*u));
		u->flags = UNW_F_NOFDE;
	}
	if (fc_put(&m->rule_cache, vaddr, (uint32_t)m->nrules, 1))
		return NULL;
	m->nrules++;
	return u;
}

static int unwind_cached(struct sym_session *s, struct proc *pr, const struct sym_stack_copy *c,
			 uint64_t *pcs, size_t cap, enum sym_unwind_end *end)
{
	struct ustate st[2];
	struct reader rd = { .c = c };
	int cur = 0;
	memcpy(st[0].r, c->regs, sizeof(st[0].r));
	st[0].set = (1u << SYM_NREGS) - 1;
	bool exact = true;	/* the sample's own PC, or the caller of a signal frame */
	size_t n = 0;
	*end = SYM_UNW_DEPTH;
	while (n < cap) {
		uint64_t pc = st[cur].r[RA_REG];
		if (n && pc >= USER_PC_END) {
			*end = SYM_UNW_BAD;
			break;
		}
		pcs[n] = n == 0 || !exact ? pc : pc + 1;
		if (++n == cap)
			break;
		uint64_t look = exact ? pc : pc - 1;
		const struct mapping *map = sym_mapping(s, &pr, look, true);
		struct module *m = map ? map->mod : NULL;
		uint64_t vaddr;
		const struct unw_rule *u = NULL;
		if (m && !m->failed && sym_vaddr(map, look, &vaddr)) {
			u = rule_at(s, m, vaddr);
			if (!u)
				return -ENOMEM;
		}
		int more;
		rd.beyond = false;
		if (!u || (u->flags & UNW_F_NOFDE)) {
			more = fp_step(&st[cur], &st[!cur], &rd, end);
			exact = false;
		} else {
			Dwarf_Frame *f = u->flags & UNW_F_EXPR ? cfi_frame(m, vaddr) : NULL;
			more = apply_rule(u, f, &st[cur], &st[!cur], &rd, end);
			free(f);
			exact = u->flags & UNW_F_SIGNAL;
		}
		if (!more)
			break;
		cur = !cur;
	}
	return (int)n;
}

/* ---- the reference: plain libdw over a Dwfl of the process image ---- */

struct unw_ref {
	const struct sym_stack_copy *c;
	uint64_t *pcs;
	size_t n, cap;
};

static pid_t ref_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	return 0;
}

static bool ref_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

static bool ref_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unw_ref *ref = arg;
	struct reader rd = { .c = ref->c };
	uint64_t v;
	if (!read_word(&rd, addr, &v))
		return false;
	*result = v;
	return true;
}

static bool ref_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unw_ref *ref = arg;
	Dwarf_Word regs[SYM_NREGS];
	for (int i = 0; i < SYM_NREGS; i++)
		regs[i] = ref->c->regs[i];
	if (!dwfl_thread_state_registers(thread, 0, SYM_NREGS, regs))
		return false;
	dwfl_thread_state_register_pc(thread, ref->c->regs[RA_REG]);
	return true;
}

static const Dwfl_Thread_Callbacks ref_thread_callbacks = {
	.next_thread = ref_next_thread,
	.get_thread = ref_get_thread,
	.memory_read = ref_memory_read,
	.set_initial_registers = ref_set_initial_registers,
};

/* a Dwfl with every module of the image placed where the process mapped it */
static int ref_attach(struct proc *pr)
{
	if (pr->ref_dwfl)
		return pr->ref_failed ? -EINVAL : 0;
	pr->ref = calloc(1, sizeof(*pr->ref));
	pr->ref_dwfl = pr->ref ? dwfl_begin(&sym_dwfl_callbacks) : NULL;
	if (!pr->ref_dwfl)
		return -ENOMEM;
	dwfl_report_begin(pr->ref_dwfl);
	for (size_t i = 0; i < pr->nmaps; i++) {
		const struct mapping *map = &pr->maps[i];
		struct module *m = map->mod;
		uint64_t vaddr;
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if (pr->maps[j].mod == m)
				first = false;
		if (!first || !m || m->failed || m->ref_fd < 0 || !sym_vaddr(map, map->start, &vaddr))
			continue;
		int fd = fcntl(m->ref_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			continue;
		/* ET_DYN: placed at its bias (vaddr 0 at map->start - vaddr); ET_EXEC: ignored */
		if (!dwfl_report_elf(pr->ref_dwfl, m->base, m->path, fd, map->start - vaddr, true))
			close(fd);
	}
	dwfl_report_end(pr->ref_dwfl, NULL, NULL);
	if (!dwfl_attach_state(pr->ref_dwfl, NULL, (pid_t)pr->pid, &ref_thread_callbacks, pr->ref))
		pr->ref_failed = true;
	return pr->ref_failed ? -EINVAL : 0;
}

static int ref_frame(Dwfl_Frame *state, void *arg)
{
	struct unw_ref *ref = arg;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (ref->n && (!pc || pc >= USER_PC_END))
		return DWARF_CB_ABORT;	/* as the cached unwinder: a zero or kernel-half PC ends it */
	ref->pcs[ref->n] = ref->n == 0 || !activation ? pc : pc + 1;
	return ++ref->n < ref->cap ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static int unwind_libdw(struct proc *pr, const struct sym_stack_copy *c, uint64_t *pcs,
			size_t cap, enum sym_unwind_end *end)
{
	int err = ref_attach(pr);
	if (err == -ENOMEM)
		return err;
	if (err) {	/* libdw would not take this image: one stack lost, not the recording */
		pcs[0] = c->regs[RA_REG];
		*end = SYM_UNW_BAD;
		return 1;
	}
	*pr->ref = (struct unw_ref){ .c = c, .pcs = pcs, .cap = cap };
	int r = dwfl_getthread_frames(pr->ref_dwfl, (pid_t)(c->tid ? c->tid : pr->pid), ref_frame,
				      pr->ref);
	/* libdw ends a stack whose return address it cannot read as it ends a complete one */
	*end = pr->ref->n == cap ? SYM_UNW_DEPTH : r == 0 ? SYM_UNW_COMPLETE : SYM_UNW_BAD;
	if (!pr->ref->n)	/* the sample's own PC is always a frame */
		pcs[pr->ref->n++] = c->regs[RA_REG];
	return (int)pr->ref->n;
}

int sym_unwind(struct sym_session *s, uint32_t pid, uint32_t gen, enum sym_unwinder how,
	       const struct sym_stack_copy *c, uint64_t *pcs, size_t cap,
	       enum sym_unwind_end *end)
{
	if (!cap)
		return -EINVAL;
	struct proc *pr = sym_proc_get(s, pid, gen);
	int n;
	if (!pr) {	/* gone before its map was read: only the PC is known */
		pcs[0] = c->regs[RA_REG];
		*end = SYM_UNW_NO_CFI;
		n = 1;
	} else if (how == SYM_UNWIND_LIBDW) {
		n = unwind_libdw(pr, c, pcs, cap, end);
	} else {
		n = unwind_cached(s, pr, c, pcs, cap, end);
	}
	if (n > 0) {
		s->ustats.stacks++;
		s->ustats.frames += (uint64_t)n;
		s->ustats.ends[*end]++;
	}
	return n;
}
