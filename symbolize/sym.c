/* Symbolization. Kernel addresses: /proc/kallsyms, loaded once, sorted, binary searched.
 * User addresses: each process's executable mappings (read from /proc/PID/maps when the
 * process is first seen, so it may exit before the end), each mapped file opened once per
 * session through libdwfl and cached by device and inode (libc is loaded once, not once per
 * process). A runtime address becomes a file offset, then an ELF virtual address through the
 * PT_LOAD that holds it, then a symbol (.symtab, .dynsym, DWARF, separate debug files), with
 * inlined callers from DWARF scopes. Every resolved address is cached. */
#include "sym_int.h"
#include "chars.h"
#include "hash.h"
#include "lineio.h"
#include "vec.h"
#include "htab.h"
#include "search.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const struct fc_entry *fc_find(const struct frame_cache *c, uint64_t key)
{
	uint32_t h = (uint32_t)hash_u64(key), e;
	for (size_t j = htab_start(&c->index, h); (e = htab_slot(&c->index, j));
	     j = htab_next(&c->index, j))
		if (c->e[e - 1].key == key)
			return &c->e[e - 1];
	return NULL;
}

int fc_put(struct frame_cache *c, uint64_t key, uint32_t off, uint32_t cnt)
{
	uint32_t h = (uint32_t)hash_u64(key), e;
	size_t j = htab_start(&c->index, h);
	while ((e = htab_slot(&c->index, j)))
		j = htab_next(&c->index, j);
	if (vec_grow((void **)&c->e, &c->cap, c->n + 1, sizeof(*c->e), 256))
		return -ENOMEM;
	c->e[c->n] = (struct fc_entry){ .key = key, .off = off, .cnt = cnt, .hash = h };
	c->n++;
	return htab_put(&c->index, j, (uint32_t)c->n - 1, c->n, &c->e[0].hash, sizeof(*c->e));
}

void fc_free(struct frame_cache *c)
{
	free(c->e);
	htab_free(&c->index);
}

static char *debuginfo_path;
const Dwfl_Callbacks sym_dwfl_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

int sym_open(struct sym_session **out, const struct sym_opts *o)
{
	struct sym_session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o = *o;
	if (!o->no_demangle) {
		/* the C++ runtime's demangler, found at run time: no link-time C++ dependency,
		 * and names stay mangled (not wrong) where libstdc++ is missing */
		s->libstdcxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (s->libstdcxx)
			*(void **)&s->demangle = dlsym(s->libstdcxx, "__cxa_demangle");
	}
	*out = s;
	return 0;
}

static void module_free(struct module *m)
{
	unw_module_free(m);
	if (m->dwfl)
		dwfl_end(m->dwfl);
	free(m->path);
	free(m->build_id);
	free(m->segs);
	fc_free(&m->cache);
	free(m);
}

static void proc_free(struct proc *p)
{
	unw_proc_free(p);
	free(p->maps);
	for (size_t i = 0; i < p->njit; i++)
		free(p->jit[i].name);
	free(p->jit);
	fc_free(&p->jit_cache);
	free(p);
}

void sym_close(struct sym_session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmods; i++)
		module_free(s->mods[i]);
	free(s->mods);
	for (size_t i = 0; i < s->nprocs; i++)
		proc_free(s->procs[i]);
	free(s->procs);
	free(s->ksyms);
	free(s->kstr);
	fc_free(&s->kcache);
	free(s->pool);
	free(s->buf);
	if (s->libstdcxx)
		dlclose(s->libstdcxx);
	free(s);
}

void sym_get_stats(const struct sym_session *s, struct sym_stats *st)
{
	st->modules_loaded = s->nmods;
	st->pids = s->nprocs;
	st->unresolved = s->unresolved;
	st->unwind = s->ustats;
}

/* ---- names ---- */

/* s->buf with room for need bytes and a suffix (_[k], _[i]), or NULL */
static char *name_buf(struct sym_session *s, size_t need)
{
	return vec_grow((void **)&s->buf, &s->buf_cap, need + 8, 1, 256) ? NULL : s->buf;
}

/* C++ and Rust (legacy) names demangled; Rust's trailing ::h<16 hex> hash dropped. The name
 * is built whole (never cut: two long names must stay two frames) in s->buf. */
static int clean_name(struct sym_session *s, const char *name, size_t *len)
{
	size_t n;
	char *dm = NULL;
	if (s->demangle && name[0] == '_' && name[1] == 'Z') {
		int status = 0;
		dm = s->demangle(name, NULL, NULL, &status);
		if (status)
			dm = NULL;
	}
	const char *src = dm ? dm : name;
	n = strlen(src);
	char *out = name_buf(s, n);
	if (!out) {
		free(dm);
		return -ENOMEM;
	}
	memcpy(out, src, n);
	out[n] = '\0';
	free(dm);
	if (n > 19 && !memcmp(out + n - 19, "::h", 3)) {
		size_t k = n - 16;
		while (k < n && ((out[k] >= '0' && out[k] <= '9') || (out[k] >= 'a' && out[k] <= 'f')))
			k++;
		if (k == n) {
			n -= 19;
			out[n] = '\0';
		}
	}
	/* symbol versions (clock_gettime@@GLIBC_2.17) are noise in a profile */
	char *at = memchr(out, '@', n);
	if (at && at > out && strspn(at, "@") <= 2 &&
	    strspn(at + strspn(at, "@"), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789_.") == strlen(at + strspn(at, "@"))) {
		n = (size_t)(at - out);
		out[n] = '\0';
	}
	/* ';' would split the frame in folded output */
	for (size_t i = 0; i < n; i++)
		if (out[i] == ';')
			out[i] = ':';
	*len = n;
	return 0;
}

static int pool_add(struct sym_session *s, struct profile *p, const char *name, size_t len)
{
	int64_t id = prof_intern(p, name, len);
	if (id < 0)
		return (int)id;
	if (vec_grow((void **)&s->pool, &s->pool_cap, s->pool_len + 1, sizeof(*s->pool), 4096))
		return -ENOMEM;
	s->pool[s->pool_len++] = (uint32_t)id;
	return 0;
}

/* Frame ids are ids of one profile: a session used with a new profile starts its caches over. */
static void bind_profile(struct sym_session *s, struct profile *p)
{
	if (s->pool_owner == p)
		return;
	s->pool_owner = p;
	s->pool_len = 0;
	fc_free(&s->kcache);
	memset(&s->kcache, 0, sizeof(s->kcache));
	for (size_t i = 0; i < s->nmods; i++) {
		fc_free(&s->mods[i]->cache);
		memset(&s->mods[i]->cache, 0, sizeof(s->mods[i]->cache));
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		fc_free(&s->procs[i]->jit_cache);
		memset(&s->procs[i]->jit_cache, 0, sizeof(s->procs[i]->jit_cache));
	}
}

/* [module] or, with --addrs, [module <addr>], in s->buf */
static int unresolved_name(struct sym_session *s, const char *base, uint64_t addr, size_t *len)
{
	s->unresolved++;
	if (!base)
		base = "unknown";
	size_t cap = strlen(base) + 24;
	char *out = name_buf(s, cap);
	if (!out)
		return -ENOMEM;
	if (s->o.addrs)
		*len = (size_t)snprintf(out, cap, "[%s <%" PRIx64 ">]", base, addr);
	else
		*len = (size_t)snprintf(out, cap, "[%s]", base);
	return 0;
}

/* ---- kernel ---- */

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}


/* appends s[0..n) and a NUL to the kallsyms name pool; returns its offset, 0 on ENOMEM */
static uint32_t kstr_add(struct sym_session *s, size_t *len, size_t *cap, const char *str, size_t n)
{
	if (*len + n + 1 > UINT32_MAX ||
	    vec_grow((void **)&s->kstr, cap, *len + n + 1, 1, 1 << 20))
		return 0;
	uint32_t off = (uint32_t)*len;
	memcpy(s->kstr + off, str, n);
	s->kstr[off + n] = '\0';
	*len += n + 1;
	return off;
}

/* /proc/kallsyms is read line by line (a 1 MB block at a time) and parsed by hand: `ADDR TYPE
 * NAME [MODULE]`, text symbols only, their names copied to one pool (a module's name once per
 * run of its symbols); offset 0 is the empty name, a region's end. Peak memory is the pool,
 * not the whole 5 MB text. (With sscanf this was a third of a short recording's start-up.) */
static void load_kallsyms(struct sym_session *s)
{
	s->kloaded = true;
	struct line_reader *lr;
	if (lr_open(&lr, s->o.kallsyms_path ? s->o.kallsyms_path : "/proc/kallsyms"))
		return;
	size_t plen = 0, pcap = 0, ksyms_cap = 0;
	kstr_add(s, &plen, &pcap, "", 0);
	if (!s->kstr) {
		lr_close(lr);
		return;
	}
	bool sorted = true;
	uint32_t last_mod = 0;
	const char *p;
	size_t n;
	while (lr_next(lr, &p, &n) > 0) {
		const char *le = p + n, *q = p;
		size_t digits;
		uint64_t addr = ch_parse_hex(q, n, &digits);
		q += digits;
		if (!(q + 3 < le && q[0] == ' ' && q[2] == ' ' && addr &&
		      (q[1] == 't' || q[1] == 'T' || q[1] == 'w' || q[1] == 'W')))
			continue;
		const char *name = q + 3, *ne = name;
		while (ne < le && *ne != '\t' && *ne != ' ')
			ne++;
		size_t nl = (size_t)(ne - name);
		const char *mod = NULL;
		size_t ml = 0;
		if (ne < le) {	/* "\t[module]" */
			const char *m = ne + 1;
			while (m < le && (*m == ' ' || *m == '\t'))
				m++;
			const char *me = m < le && *m == '[' ? memchr(m, ']', (size_t)(le - m)) : NULL;
			if (me) {
				mod = m + 1;
				ml = (size_t)(me - mod);
			}
		}
		/* __pfx_/__cfi_ are the padding before a function, never a caller; the ends of
		 * the kernel's text sections end the last function in them */
		if (nl >= 6 && (!memcmp(name, "__pfx_", 6) || !memcmp(name, "__cfi_", 6)))
			continue;
		uint32_t name_off = 0, mod_off = 0;
		bool region_end = !mod && ((nl == 6 && !memcmp(name, "_etext", 6)) ||
					   (nl == 10 && !memcmp(name, "_einittext", 10)));
		if (!region_end && !(name_off = kstr_add(s, &plen, &pcap, name, nl)))
			break;
		if (mod) {
			if (!last_mod || strlen(s->kstr + last_mod) != ml ||
			    memcmp(s->kstr + last_mod, mod, ml)) {
				if (!(last_mod = kstr_add(s, &plen, &pcap, mod, ml)))
					break;
			}
			mod_off = last_mod;
		}
		if (vec_grow((void **)&s->ksyms, &ksyms_cap, s->nksyms + 1, sizeof(*s->ksyms), 65536))
			break;
		if (s->nksyms && s->ksyms[s->nksyms - 1].addr > addr)
			sorted = false;
		s->ksyms[s->nksyms++] = (struct ksym){ .addr = addr, .name = name_off,
						       .module = mod_off };
	}
	lr_close(lr);
	/* a module's text ends at its base + size (/proc/modules): past that, no symbol */
	const char *modules = s->o.kallsyms_path ? s->o.modules_path : "/proc/modules";
	FILE *mf = modules ? fopen(modules, "re") : NULL;
	char *line = NULL;	/* a module used by many others has a long line */
	size_t line_cap = 0;
	while (mf && getline(&line, &line_cap, mf) > 0) {
		unsigned long long size, base;
		if (sscanf(line, "%*s %llu %*s %*s %*s %llx", &size, &base) != 2 || !base)
			continue;
		if (vec_grow((void **)&s->ksyms, &ksyms_cap, s->nksyms + 1, sizeof(*s->ksyms), 1024))
			break;
		s->ksyms[s->nksyms++] = (struct ksym){ .addr = base + size, .name = 0 };
		sorted = false;
	}
	free(line);
	if (mf)
		fclose(mf);
	/* the kernel lists its own symbols in address order; modules may not be */
	if (!sorted)
		qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), ksym_cmp);
}

struct ksym_key {
	const struct ksym *v;
	uint64_t addr;
};

static bool ksym_le(const void *ctx, size_t i)	/* the symbol starts at or before addr */
{
	const struct ksym_key *k = ctx;
	return k->v[i].addr <= k->addr;
}

static int kernel_frame(struct sym_session *s, struct profile *p, uint64_t ip, uint32_t *off,
			uint32_t *cnt)
{
	const struct fc_entry *hit = fc_find(&s->kcache, ip);
	if (hit) {
		*off = hit->off;
		*cnt = hit->cnt;
		return 0;
	}
	if (!s->kloaded)
		load_kallsyms(s);
	size_t lo = partition_point(s->nksyms, ksym_le, &(struct ksym_key){ s->ksyms, ip });
	char *buf;
	size_t n;
	if (lo == 0 || !s->kstr[s->ksyms[lo - 1].name]) {
		if (unresolved_name(s, NULL, ip, &n))
			return -ENOMEM;
		buf = s->buf;
	} else {
		const struct ksym *k = &s->ksyms[lo - 1];
		const char *name = s->kstr + k->name, *mod = k->module ? s->kstr + k->module : NULL;
		size_t cap = strlen(name) + (mod ? strlen(mod) + 3 : 0) + 1;
		if (!(buf = name_buf(s, cap)))
			return -ENOMEM;
		if (mod)
			n = (size_t)snprintf(buf, cap, "%s [%s]", name, mod);
		else
			n = (size_t)snprintf(buf, cap, "%s", name);
	}
	if (s->o.kernel_annotate) {
		memcpy(buf + n, "_[k]", 4);
		n += 4;
	}
	*off = (uint32_t)s->pool_len;
	*cnt = 1;
	int err = pool_add(s, p, buf, n);
	if (!err && lo > 0 && s->kstr[s->ksyms[lo - 1].name]) {	/* pprof's mapping: the kernel */
		int64_t mid = prof_module(p, "[kernel.kallsyms]", 17, NULL);
		if (mid < 0)
			return (int)mid;
		prof_frame_set_module(p, s->pool[*off], (uint32_t)mid);
	}
	if (!err)
		err = fc_put(&s->kcache, ip, *off, *cnt);
	return err;
}

int sym_kernel_stack(struct sym_session *s, struct profile *p, const uint64_t *ips, size_t n,
		     uint32_t *out, size_t cap)
{
	size_t w = 0;
	bind_profile(s, p);
	for (size_t k = n; k-- > 0 && w < cap;) {
		uint32_t off, cnt;
		/* all but the leaf are return addresses: the call is the byte before (a call at
		 * the end of a noreturn function returns to the next function's first byte) */
		int err = kernel_frame(s, p, k == 0 ? ips[k] : ips[k] - 1, &off, &cnt);
		if (err)
			return err;
		for (uint32_t i = 0; i < cnt && w < cap; i++)
			out[w++] = s->pool[off + i];
	}
	return (int)w;
}

/* ---- user space ---- */

struct proc_key {
	struct proc *const *v;
	uint32_t pid, gen;
};

static bool proc_before(const void *ctx, size_t i)	/* procs[i] sorts before (pid, gen) */
{
	const struct proc_key *k = ctx;
	const struct proc *m = k->v[i];
	return m->pid < k->pid || (m->pid == k->pid && m->gen < k->gen);
}

static struct proc *proc_find(struct sym_session *s, uint32_t pid, uint32_t gen, size_t *pos)
{
	size_t lo = partition_point(s->nprocs, proc_before,
				    &(struct proc_key){ s->procs, pid, gen });
	*pos = lo;
	return lo < s->nprocs && s->procs[lo]->pid == pid && s->procs[lo]->gen == gen
		       ? s->procs[lo] : NULL;
}

/* A file root opens on a process's word: a regular file (never a FIFO that would block,
 * O_NONBLOCK) and, when it was reached by a path someone could have swapped, the very
 * device and inode the process maps. */
static int open_checked(const char *path, dev_t dev, ino_t ino, bool check_id)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (check_id && (st.st_dev != dev || st.st_ino != ino))) {
		close(fd);
		return -1;
	}
	return fd;
}

int sym_open_module_file(uint32_t pid, const char *path, dev_t dev, ino_t ino, uint64_t start,
			 uint64_t end)
{
	char p1[4096];
	int fd;
	/* map_files is the mapped file itself, whatever its path has become */
	snprintf(p1, sizeof(p1), "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, pid, start, end);
	fd = open_checked(p1, dev, ino, false);
	if (fd < 0 && snprintf(p1, sizeof(p1), "/proc/%u/root%s", pid, path) < (int)sizeof(p1))
		fd = open_checked(p1, dev, ino, true);
	if (fd < 0)
		fd = open_checked(path, dev, ino, true);
	return fd;
}

/* The build id of the mapped file (pprof's mappings), as hex, or NULL. Read through a file
 * of its own, and only by sym_build_ids, off the sampling path: reading it when a module is
 * first seen slowed a new process's first samples enough that the cached and the reference
 * unwinder saw its image at different moments (unwind_cache-vs-libdw, 1 run in 5). */
static char *build_id_hex(uint32_t pid, const char *path, dev_t dev, ino_t ino, uint64_t start,
			  uint64_t end)
{
	int fd = sym_open_module_file(pid, path, dev, ino, start, end);
	if (fd < 0)
		return NULL;
	char *hex = NULL;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const void *bits;
	ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &bits) : -1;
	if (n > 0 && (hex = malloc((size_t)n * 2 + 1)))
		for (ssize_t i = 0; i < n; i++)
			sprintf(hex + 2 * i, "%02x", ((const unsigned char *)bits)[i]);
	if (elf)
		elf_end(elf);
	close(fd);
	return hex;
}

int sym_build_ids(struct sym_session *s, struct profile *p)
{
	for (size_t i = 0; i < s->nmods; i++) {
		struct module *m = s->mods[i];
		if (!m->build_id_read && m->mod) {
			m->build_id_read = true;
			m->build_id = build_id_hex(m->open_pid, m->path, m->dev, m->ino, m->open_start,
						   m->open_end);
		}
		if (!m->build_id)
			continue;
		int64_t mid = prof_module_find(p, m->path, strlen(m->path));
		if (mid >= 0 && prof_module_set_build_id(p, (uint32_t)mid, m->build_id))
			return -ENOMEM;
	}
	return 0;
}

static struct module *module_get(struct sym_session *s, uint32_t pid, dev_t dev, ino_t ino,
				 const char *path, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i]->dev == dev && s->mods[i]->ino == ino)
			return s->mods[i];
	struct module *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->dev = dev;
	m->ino = ino;
	m->path = strdup(path);
	if (!m->path) {
		free(m);
		return NULL;
	}
	const char *slash = strrchr(m->path, '/');
	m->base = slash ? (char *)slash + 1 : m->path;

	/* open through the process's view of the file system (containers, deleted files) */
	int fd = sym_open_module_file(pid, path, dev, ino, start, end);
	m->ref_fd = -1;
	if (fd >= 0 && s->o.unwind_reference)
		m->ref_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0) {
		m->dwfl = dwfl_begin(&sym_dwfl_callbacks);
		/* dwfl owns fd from here */
		m->mod = m->dwfl ? dwfl_report_elf(m->dwfl, m->base, path, fd, 0, false) : NULL;
		if (m->dwfl)
			dwfl_report_end(m->dwfl, NULL, NULL);
		else
			close(fd);
	}
	m->open_pid = pid;
	m->open_start = start;
	m->open_end = end;
	if (m->mod) {
		GElf_Addr bias;
		Elf *elf = dwfl_module_getelf(m->mod, &bias);
		size_t phnum = 0;
		if (elf && elf_getphdrnum(elf, &phnum) == 0) {
			m->segs = calloc(phnum ? phnum : 1, sizeof(*m->segs));
			for (size_t i = 0; m->segs && i < phnum; i++) {
				GElf_Phdr ph;
				if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
					m->segs[m->nsegs++] = (struct load_seg){ ph.p_offset, ph.p_vaddr,
										 ph.p_filesz };
			}
		}
	}
	if (!m->mod || !m->nsegs)
		m->failed = true;
	if (vec_grow((void **)&s->mods, &s->mods_cap, s->nmods + 1, sizeof(*s->mods), 64)) {
		module_free(m);
		return NULL;
	}
	s->mods[s->nmods++] = m;
	return m;
}

static int jit_cmp(const void *a, const void *b)
{
	const struct jit_sym *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

bool sym_parse_maps_line(char *line, struct maps_line *m)
{
	unsigned long long start, end, offset, ino;
	unsigned maj, min;
	char perms[8];
	int name_pos = 0;
	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &offset, &maj,
		   &min, &ino, &name_pos) < 7 || !strchr(perms, 'x') || end <= start)
		return false;
	m->name = name_pos ? line + name_pos : line + strlen(line);
	m->name[strcspn(m->name, "\n")] = '\0';
	*m = (struct maps_line){ start, end, offset, ino, maj, min, m->name };
	return true;
}

bool sym_parse_jit_line(char *line, uint64_t *start, uint64_t *size, char **name)
{
	unsigned long long a, b;
	int pos = 0;
	if (sscanf(line, "%llx %llx %n", &a, &b, &pos) < 2 || !pos)
		return false;
	*start = a;
	*size = b;
	*name = line + pos;
	(*name)[strcspn(*name, "\n")] = '\0';
	return true;
}

/* /tmp/perf-PID.map is anyone's to create: as perf does, it is read only when it is a
 * regular file (not a link, not a FIFO that would block) owned by root or by the process's
 * own user; a line of any length is read whole (no tail parsed as an entry). */
static void load_jit_map(struct sym_session *s, struct proc *pr)
{
	char path[64];
	struct stat st, pst;
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pr->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	char *proc_dir = NULL;
	if (asprintf(&proc_dir, "%s/%u", s->o.proc_root ? s->o.proc_root : "/proc", pr->pid) < 0)
		proc_dir = NULL;
	if (!proc_dir || fstat(fd, &st) || !S_ISREG(st.st_mode) || stat(proc_dir, &pst) ||
	    (st.st_uid != 0 && st.st_uid != pst.st_uid)) {
		free(proc_dir);
		close(fd);
		return;
	}
	free(proc_dir);
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return;
	}
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	ssize_t len;
	while ((len = getline(&line, &linecap, f)) > 0) {
		uint64_t start, size;
		char *name;
		if (!sym_parse_jit_line(line, &start, &size, &name))
			continue;
		if (vec_grow((void **)&pr->jit, &cap, pr->njit + 1, sizeof(*pr->jit), 256))
			break;
		pr->jit[pr->njit++] = (struct jit_sym){ start, size, strdup(name) };
	}
	free(line);
	fclose(f);
	qsort(pr->jit, pr->njit, sizeof(*pr->jit), jit_cmp);
}

static int read_maps(struct sym_session *s, uint32_t pid, uint32_t gen, struct proc **out)
{
	char *path;
	if (asprintf(&path, "%s/%u/maps", s->o.proc_root ? s->o.proc_root : "/proc", pid) < 0)
		return -ENOMEM;
	FILE *f = fopen(path, "re");
	int open_err = errno;
	free(path);
	if (!f)
		return open_err == ENOENT ? -ESRCH : -open_err;
	struct proc *pr = calloc(1, sizeof(*pr));
	if (!pr) {
		fclose(f);
		return -ENOMEM;
	}
	pr->pid = pid;
	pr->gen = gen;
	size_t cap = 0, linecap = 0;
	char *line = NULL;
	while (getline(&line, &linecap, f) > 0) {
		struct maps_line ml;
		if (!sym_parse_maps_line(line, &ml))
			continue;
		uint64_t start = ml.start, end = ml.end;
		char *name = ml.name;
		if (vec_grow((void **)&pr->maps, &cap, pr->nmaps + 1, sizeof(*pr->maps), 64))
			break;
		struct mapping *m = &pr->maps[pr->nmaps];
		memset(m, 0, sizeof(*m));
		m->start = start;
		m->end = end;
		m->offset = ml.offset;
		if (ml.ino && name[0] == '/') {
			/* " (deleted)" files are still reachable through map_files */
			char *del = strstr(name, " (deleted)");
			if (del)
				*del = '\0';
			m->mod = module_get(s, pid, makedev(ml.maj, ml.min), (ino_t)ml.ino, name, start,
					    end);
		} else if (name[0] == '[') {
			snprintf(m->special, sizeof(m->special), "%.*s", (int)strcspn(name + 1, "]"),
				 name + 1);
		}
		pr->nmaps++;
	}
	free(line);
	fclose(f);
	load_jit_map(s, pr);
	*out = pr;
	return 0;
}

static int proc_insert(struct sym_session *s, struct proc *pr, size_t pos)
{
	if (vec_grow((void **)&s->procs, &s->procs_cap, s->nprocs + 1, sizeof(*s->procs), 64)) {
		proc_free(pr);
		return -ENOMEM;
	}
	memmove(s->procs + pos + 1, s->procs + pos, (s->nprocs - pos) * sizeof(*s->procs));
	s->procs[pos] = pr;
	s->nprocs++;
	return 0;
}

int sym_snapshot_pid(struct sym_session *s, uint32_t pid, uint32_t gen)
{
	size_t pos;
	struct proc *pr;
	if (proc_find(s, pid, gen, &pos))
		return 0;
	int err = read_maps(s, pid, gen, &pr);
	return err ? err : proc_insert(s, pr, pos);
}

int sym_refresh_pid(struct sym_session *s, uint32_t pid, uint32_t gen)
{
	size_t pos;
	struct proc *old = proc_find(s, pid, gen, &pos), *pr;
	int err = read_maps(s, pid, gen, &pr);
	if (err)
		return err;	/* gone: the old map stays */
	if (!old)
		return proc_insert(s, pr, pos);
	/* frames cached for JIT addresses belong to the old map */
	pr->late_refresh = old->late_refresh;
	proc_free(old);
	s->procs[pos] = pr;
	return 0;
}

void sym_forget_pid(struct sym_session *s, uint32_t pid, uint32_t gen)
{
	size_t pos;
	struct proc *pr = proc_find(s, pid, gen, &pos);
	if (!pr)
		return;
	proc_free(pr);
	memmove(s->procs + pos, s->procs + pos + 1, (s->nprocs - pos - 1) * sizeof(*s->procs));
	s->nprocs--;
}

struct proc *sym_proc_get(struct sym_session *s, uint32_t pid, uint32_t gen)
{
	size_t pos;
	struct proc *pr = proc_find(s, pid, gen, &pos);
	if (!pr && sym_snapshot_pid(s, pid, gen) == 0)
		pr = proc_find(s, pid, gen, &pos);
	return pr;
}

struct map_key {
	const struct mapping *v;
	uint64_t addr;
};

static bool map_ends_by(const void *ctx, size_t i)	/* the mapping ends at or before addr */
{
	const struct map_key *k = ctx;
	return k->v[i].end <= k->addr;
}

struct jit_key {
	const struct jit_sym *v;
	uint64_t addr;
};

static bool jit_le(const void *ctx, size_t i)	/* the JIT symbol starts at or before addr */
{
	const struct jit_key *k = ctx;
	return k->v[i].start <= k->addr;
}

/* the mapping holding ip (maps are sorted and do not overlap), or NULL */
static const struct mapping *find_mapping(const struct proc *pr, uint64_t ip)
{
	size_t lo = partition_point(pr->nmaps, map_ends_by, &(struct map_key){ pr->maps, ip });
	return lo < pr->nmaps && pr->maps[lo].start <= ip ? &pr->maps[lo] : NULL;
}

const struct mapping *sym_mapping(struct sym_session *s, struct proc **prp, uint64_t ip,
				  bool refresh)
{
	struct proc *pr = *prp;
	const struct mapping *m = pr ? find_mapping(pr, ip) : NULL;
	if (m || !pr || !refresh || pr->late_refresh)
		return m;
	/* only the newest image of a pid is what /proc shows now */
	size_t pos;
	proc_find(s, pr->pid, pr->gen, &pos);
	if (pos + 1 < s->nprocs && s->procs[pos + 1]->pid == pr->pid)
		return NULL;
	pr->late_refresh = true;
	uint32_t pid = pr->pid, gen = pr->gen;
	if (sym_refresh_pid(s, pid, gen) == 0) {
		*prp = pr = proc_find(s, pid, gen, &pos);
		pr->late_refresh = true;
		m = find_mapping(pr, ip);
	}
	return m;
}

bool sym_vaddr(const struct mapping *map, uint64_t ip, uint64_t *vaddr)
{
	const struct module *m = map->mod;
	uint64_t file_off = ip - map->start + map->offset;
	for (size_t i = 0; m && i < m->nsegs; i++) {
		const struct load_seg *sg = &m->segs[i];
		if (file_off >= sg->offset && file_off < sg->offset + sg->filesz) {
			*vaddr = file_off - sg->offset + sg->vaddr;
			return true;
		}
	}
	return false;
}

/* inlined callers at vaddr, outermost first, into the pool */
static int add_inlined(struct sym_session *s, struct profile *p, struct module *m, uint64_t vaddr)
{
	Dwarf_Addr bias;
	Dwarf_Die *cudie = dwfl_module_addrdie(m->mod, vaddr, &bias);
	Dwarf_Die *scopes = NULL;
	if (!cudie)
		return 0;
	int n = dwarf_getscopes(cudie, vaddr - bias, &scopes);
	for (int i = n - 1; i >= 0; i--) {
		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		Dwarf_Attribute attr;
		const char *name = NULL;
		if (dwarf_attr_integrate(&scopes[i], DW_AT_linkage_name, &attr) ||
		    dwarf_attr_integrate(&scopes[i], DW_AT_MIPS_linkage_name, &attr))
			name = dwarf_formstring(&attr);
		if (!name)
			name = dwarf_diename(&scopes[i]);
		if (!name)
			continue;
		size_t len;
		int err = clean_name(s, name, &len);
		if (!err) {
			memcpy(s->buf + len, "_[i]", 4);
			err = pool_add(s, p, s->buf, len + 4);
		}
		if (err) {
			free(scopes);
			return err;
		}
	}
	free(scopes);
	return 0;
}

static int user_frame(struct sym_session *s, struct profile *p, struct proc *pr, uint64_t ip,
		      uint32_t *off, uint32_t *cnt)
{
	const struct mapping *map = pr ? find_mapping(pr, ip) : NULL;

	struct frame_cache *cache = NULL;
	uint64_t key = ip;
	struct module *m = map ? map->mod : NULL;
	uint64_t vaddr = 0;
	bool have_vaddr = false;
	if (m && !m->failed) {
		have_vaddr = sym_vaddr(map, ip, &vaddr);
		cache = &m->cache;
		key = have_vaddr ? vaddr : (ip - map->start + map->offset) | (1ULL << 63);
	} else if (pr && pr->njit) {
		cache = &pr->jit_cache;
	}
	if (cache) {
		const struct fc_entry *hit = fc_find(cache, key);
		if (hit) {
			*off = hit->off;
			*cnt = hit->cnt;
			return 0;
		}
	}

	uint32_t start = (uint32_t)s->pool_len;
	size_t n = 0;
	int err = 0;
	const char *name = NULL;
	if (m && have_vaddr) {
		GElf_Off sym_off;
		GElf_Sym sym;
		name = dwfl_module_addrinfo(m->mod, vaddr, &sym_off, &sym, NULL, NULL, NULL);
	}
	if (name) {
		if ((err = clean_name(s, name, &n)) || (err = pool_add(s, p, s->buf, n)))
			return err;
		if (s->o.inline_frames && (err = add_inlined(s, p, m, vaddr)))
			return err;
	} else {
		const struct jit_sym *js = NULL;
		if (pr && !m && pr->njit) {
			size_t a = partition_point(pr->njit, jit_le,
						   &(struct jit_key){ pr->jit, ip });
			if (a && ip < pr->jit[a - 1].start + pr->jit[a - 1].size)
				js = &pr->jit[a - 1];
		}
		if (js && js->name) {
			err = clean_name(s, js->name, &n);
		} else {
			const char *base = m ? m->base : map && map->special[0] ? map->special : NULL;
			err = unresolved_name(s, base, ip, &n);
		}
		if (err || (err = pool_add(s, p, s->buf, n)))
			return err;
	}
	*off = start;
	*cnt = (uint32_t)(s->pool_len - start);
	if (m) {	/* the binary these frames come from: pprof's mapping */
		int64_t mid = prof_module(p, m->path, strlen(m->path), NULL);
		if (mid < 0)
			return (int)mid;
		for (size_t i = start; i < s->pool_len; i++)
			prof_frame_set_module(p, s->pool[i], (uint32_t)mid);
	}
	if (cache && !(s->o.addrs && !name))
		err = fc_put(cache, key, *off, *cnt);
	return err;
}

int sym_user_stack(struct sym_session *s, struct profile *p, uint32_t pid, uint32_t gen,
		   const uint64_t *ips, size_t n, uint32_t *out, size_t cap)
{
	size_t w = 0;
	bind_profile(s, p);
	struct proc *pr = sym_proc_get(s, pid, gen);
	/* an address outside every known mapping: a library mapped after the last snapshot;
	 * read the map again once, if the process still lives */
	for (size_t k = 0; pr && !pr->late_refresh && k < n; k++)
		if (!sym_mapping(s, &pr, ips[k], true))
			break;
	for (size_t k = n; k-- > 0 && w < cap;) {
		/* all but the leaf are return addresses: the call is the byte before */
		uint64_t ip = k == 0 ? ips[k] : ips[k] - 1;
		uint32_t off, cnt;
		int err = user_frame(s, p, pr, ip, &off, &cnt);
		if (err)
			return err;
		for (uint32_t i = 0; i < cnt && w < cap; i++)
			out[w++] = s->pool[off + i];
	}
	return (int)w;
}
