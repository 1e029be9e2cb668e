/* The symbolize stage (raw addresses -> named frames): kernel addresses through /proc/kallsyms
 * (binary search, module frames `name [module]`), user addresses through elfutils libdw (.symtab, .dynsym,
 * DWARF, separate debug files, inline frames), C++/Rust demangling and JIT maps
 * (/tmp/perf-PID.map). Frames are interned straight into a struct profile. Modules are cached
 * by build-id (or device and inode), so a library shared by many processes is loaded once. */
#ifndef SCORCH_SYM_H
#define SCORCH_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct sym_opts {
	bool inline_frames;	/* --inline: add inlined callers as frames annotated _[i] */
	bool addrs;		/* --addrs: unresolved frames keep their address (0x7f12...) */
	bool kernel_annotate;	/* annotate kernel frames with _[k] (default on for record) */
	bool no_demangle;	/* keep mangled C++/Rust names */
	const char *kallsyms_path; /* NULL: /proc/kallsyms (tests point it at a fixture) */
	const char *modules_path;  /* with kallsyms_path: its /proc/modules (NULL: none) */
	const char *proc_root;	/* NULL: /proc (tests may point it elsewhere) */
	bool unwind_reference;	/* keep what SYM_UNWIND_LIBDW needs (a descriptor per module) */
};

struct sym_session;

/* Fills in the build ids of the binaries p's frames come from (pprof's mappings): read once
 * per binary, after the samples that need them, never on the sampling path. 0 or -ENOMEM. */
int sym_build_ids(struct sym_session *s, struct profile *p);

int sym_open(struct sym_session **out, const struct sym_opts *o);
void sym_close(struct sym_session *s);

/* A process image is (pid, gen): gen is the sampler's image generation, new for every exec
 * and every reuse of a PID (0 when unknown), so samples taken before an exec are named against
 * the old binary and the ones after against the new one. */

/* Captures what is needed to symbolize pid later: its memory map and the modules it maps
 * (opened and cached now), so a process that exits before the end of a recording is still
 * named. Cheap when the image is already known. Returns 0, or -ESRCH if the process is gone. */
int sym_snapshot_pid(struct sym_session *s, uint32_t pid, uint32_t gen);
/* Reads a known image's map again (libraries mapped since); keeps the old one if the
 * process is gone. Snapshots it if unknown. */
int sym_refresh_pid(struct sym_session *s, uint32_t pid, uint32_t gen);
/* Lets go of an image whose samples are all symbolized (its process ended), so a long
 * recording's memory follows the live processes, not every process it saw. */
void sym_forget_pid(struct sym_session *s, uint32_t pid, uint32_t gen);

/* Resolves a stack captured leaf first (as bpf_get_stackid stores it) and appends its frames,
 * ROOT FIRST, to out[0..cap), interning names in p. Returns the number of frames written (an
 * inlined call may add frames; the result is cut at cap), or a negative errno.
 * Kernel frames are `name` or `name [module]`, with `_[k]` when kernel_annotate.
 * User frames: `name`, inlined callers `name_[i]` when inline_frames, JIT `name` from
 * /tmp/perf-PID.map, and unresolved ones `[unknown]`, or `[module]` / the address with addrs. */
int sym_kernel_stack(struct sym_session *s, struct profile *p, const uint64_t *ips, size_t n,
		     uint32_t *out, size_t cap);
int sym_user_stack(struct sym_session *s, struct profile *p, uint32_t pid, uint32_t gen,
		   const uint64_t *ips, size_t n, uint32_t *out, size_t cap);

/* ---- unwinding a copied user stack (--call-graph dwarf) ---- */
#define SYM_NREGS 17	/* x86_64 DWARF registers: rbp 6, rsp 7, rip 16 */

/* why an unwind ended */
enum sym_unwind_end {
	SYM_UNW_COMPLETE,	/* the outermost frame: CFI says its return address is undefined */
	SYM_UNW_COPY,		/* the caller lies beyond the copied stack bytes */
	SYM_UNW_NO_CFI,		/* a PC with no module or no CFI (JIT code, no .eh_frame) */
	SYM_UNW_BAD,		/* the CFI gave no usable caller (register unknown, CFA loops) */
	SYM_UNW_DEPTH,		/* more frames than fit */
	SYM_UNW_NENDS,
};

enum sym_unwinder {
	SYM_UNWIND_CACHED,	/* CFI rules from libdw, cached per PC, applied here (default) */
	SYM_UNWIND_LIBDW,	/* plain libdw: dwfl_attach_state + dwfl_getthread_frames */
};

/* registers at the sample (DWARF numbering) and the bytes copied from regs[7] (sp) up */
struct sym_stack_copy {
	const uint64_t *regs;
	const uint8_t *bytes;
	size_t len;
	uint32_t tid;
};

/* Unwinds a copied user stack of the image (pid, gen) into pcs[0..cap), leaf first: pcs[0]
 * is the sample's PC, the others return addresses (so naming resolves pc - 1), or for the
 * caller of a signal frame its exact PC + 1. Returns the number of PCs (at least 1) and why
 * it ended, or a negative errno. Both unwinders give the same frames (tests check it). */
int sym_unwind(struct sym_session *s, uint32_t pid, uint32_t gen, enum sym_unwinder how,
	       const struct sym_stack_copy *c, uint64_t *pcs, size_t cap,
	       enum sym_unwind_end *end);

struct sym_unwind_stats {
	uint64_t stacks, frames;
	uint64_t ends[SYM_UNW_NENDS];
	uint64_t rule_lookups, rule_misses;	/* per-PC rule cache: lookups, and libdw queries */
};

/* Statistics for the summary line and tests. */
struct sym_stats {
	size_t modules_loaded;	/* distinct ELF modules opened (cache misses) */
	size_t pids;		/* processes snapshotted */
	size_t unresolved;	/* frames left as [unknown] or an address */
	struct sym_unwind_stats unwind;
};
void sym_get_stats(const struct sym_session *s, struct sym_stats *st);

#endif
