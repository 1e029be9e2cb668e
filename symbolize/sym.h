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
	const char *proc_root;	/* NULL: /proc (tests may point it elsewhere) */
};

struct sym_session;

int sym_open(struct sym_session **out, const struct sym_opts *o);
void sym_close(struct sym_session *s);

/* Captures what is needed to symbolize pid later: its memory map and the modules it maps
 * (opened and cached now), so a process that exits before the end of a recording is still
 * named. Cheap when pid is already known. Returns 0, or -ESRCH if the process is gone. */
int sym_snapshot_pid(struct sym_session *s, uint32_t pid);
/* Reads a known process's map again (libraries mapped since); keeps the old one if the
 * process is gone. Snapshots it if unknown. */
int sym_refresh_pid(struct sym_session *s, uint32_t pid);
/* Forgets a pid's map (e.g. after exec, before a new snapshot). */
void sym_forget_pid(struct sym_session *s, uint32_t pid);

/* Resolves a stack captured leaf first (as bpf_get_stackid stores it) and appends its frames,
 * ROOT FIRST, to out[0..cap), interning names in p. Returns the number of frames written (an
 * inlined call may add frames; the result is cut at cap), or a negative errno.
 * Kernel frames are `name` or `name [module]`, with `_[k]` when kernel_annotate.
 * User frames: `name`, inlined callers `name_[i]` when inline_frames, JIT `name` from
 * /tmp/perf-PID.map, and unresolved ones `[unknown]`, or `[module]` / the address with addrs. */
int sym_kernel_stack(struct sym_session *s, struct profile *p, const uint64_t *ips, size_t n,
		     uint32_t *out, size_t cap);
int sym_user_stack(struct sym_session *s, struct profile *p, uint32_t pid, const uint64_t *ips,
		   size_t n, uint32_t *out, size_t cap);

/* Statistics for the summary line and tests. */
struct sym_stats {
	size_t modules_loaded;	/* distinct ELF modules opened (cache misses) */
	size_t pids;		/* processes snapshotted */
	size_t unresolved;	/* frames left as [unknown] or an address */
};
void sym_get_stats(const struct sym_session *s, struct sym_stats *st);

#endif
