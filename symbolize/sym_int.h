/* Internals of the symbolize stage shared by its files (sym.c names addresses, unwind.c
 * unwinds copied user stacks): modules, process images and their mappings, the session. */
#ifndef SCORCH_SYM_INT_H
#define SCORCH_SYM_INT_H

#include "sym.h"
#include "htab.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <sys/types.h>

/* ---- an address -> frames cache ---- */
struct fc_entry {
	uint64_t key;		/* an address */
	uint32_t off, cnt;	/* frames in the session's pool (rules: off is the rule's index) */
	uint32_t hash;
};

struct frame_cache {
	struct fc_entry *e;
	size_t n, cap;
	struct htab index;
};

const struct fc_entry *fc_find(const struct frame_cache *c, uint64_t key);
/* adds a key fc_find did not find */
int fc_put(struct frame_cache *c, uint64_t key, uint32_t off, uint32_t cnt);
void fc_free(struct frame_cache *c);

/* ---- modules: one per mapped file, shared by every process that maps it ---- */
struct load_seg {
	uint64_t offset, vaddr, filesz;
};

struct module {
	dev_t dev;
	ino_t ino;
	char *path;
	char *base;		/* basename, for [module] frames */
	char *build_id;		/* hex (.note.gnu.build-id), or NULL */
	bool build_id_read;	/* sym_build_ids has looked (once, after sampling) */
	uint32_t open_pid;	/* how it was opened, to open it again for its build id */
	uint64_t open_start, open_end;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	struct load_seg *segs;
	size_t nsegs;
	struct frame_cache cache;
	bool failed;		/* could not be opened: its frames are [base] */
	/* unwinding (unwind.c): CFI from .eh_frame, else .debug_frame, and the rules found for
	 * each address, so a repeated PC does not go through libdw again */
	bool cfi_loaded;
	Dwarf_CFI *eh_cfi, *dwarf_cfi;
	Dwarf_Addr eh_bias, dwarf_bias;
	struct unw_rule *rules;
	size_t nrules, rules_cap;
	struct frame_cache rule_cache;	/* vaddr -> index in rules */
	int ref_fd;		/* a descriptor kept for the libdw reference unwinder, or -1 */
};

struct mapping {
	uint64_t start, end, offset;
	struct module *mod;	/* NULL: anonymous (JIT) or special ([vdso]) */
	char special[24];	/* "[vdso]" ... */
};

struct jit_sym {
	uint64_t start, size;
	char *name;
};

struct proc {
	uint32_t pid;
	uint32_t gen;		/* image generation (0: unknown) */
	struct mapping *maps;
	size_t nmaps;
	struct jit_sym *jit;
	size_t njit;
	struct frame_cache jit_cache;
	bool late_refresh;	/* re-read once for an address outside every mapping */
	Dwfl *ref_dwfl;		/* the libdw reference unwinder's view of this image */
	bool ref_failed;	/* dwfl_attach_state refused it (no module libdw could use) */
	struct unw_ref *ref;
};

struct ksym {
	uint64_t addr;
	uint32_t name, module;	/* offsets into kstr; module 0: vmlinux */
};

struct sym_session {
	struct sym_opts o;
	struct module **mods;
	size_t nmods, mods_cap;
	struct proc **procs;	/* sorted by (pid, gen) */
	size_t nprocs, procs_cap;
	struct ksym *ksyms;
	size_t nksyms;
	char *kstr;
	bool kloaded;
	struct frame_cache kcache;
	uint32_t *pool;		/* cached frame ids: (off, cnt) of each cache entry */
	size_t pool_len, pool_cap;
	struct profile *pool_owner;	/* frame ids belong to this profile */
	char *(*demangle)(const char *, char *, size_t *, int *);
	void *libstdcxx;
	size_t unresolved;
	struct sym_unwind_stats ustats;
	char *buf;		/* the frame name being built, as long as it needs */
	size_t buf_cap;
};

/* The process image (pid, gen), snapshotted now if unknown, or NULL. */
struct proc *sym_proc_get(struct sym_session *s, uint32_t pid, uint32_t gen);
/* The mapping holding ip, or NULL; with refresh, an address outside every mapping reads the
 * map of the newest image again, once (a library mapped since the last snapshot). */
const struct mapping *sym_mapping(struct sym_session *s, struct proc **pr, uint64_t ip,
				  bool refresh);
/* A runtime address in a mapping -> the module's ELF virtual address; false if no PT_LOAD
 * holds it. */
bool sym_vaddr(const struct mapping *map, uint64_t ip, uint64_t *vaddr);
/* Opens a module's file as the process sees it (map_files, its root, the path). */
int sym_open_module_file(uint32_t pid, const char *path, dev_t dev, ino_t ino, uint64_t start,
			 uint64_t end);

/* The parsers of text a process controls, exposed for their fuzz target: one line of
 * /proc/PID/maps (an executable mapping: false for any other) and one of /tmp/perf-PID.map.
 * Both cut the line at its newline; names point into it. */
struct maps_line {
	uint64_t start, end, offset, ino;
	unsigned maj, min;
	char *name;
};
bool sym_parse_maps_line(char *line, struct maps_line *m);
bool sym_parse_jit_line(char *line, uint64_t *start, uint64_t *size, char **name);

/* libdwfl's callbacks for modules reported from files (build-id and standard debuginfo) */
extern const Dwfl_Callbacks sym_dwfl_callbacks;

void unw_module_free(struct module *m);
void unw_proc_free(struct proc *pr);

#endif
