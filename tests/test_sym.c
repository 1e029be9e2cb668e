/* Symbolizer tests against a live fixture process (tests/fixtures/symtest.c): exact names for
 * plain, static, C++ and Rust functions, inlined callers with --inline, a JIT map, names kept
 * after the process exits, libc opened once for two processes, and kernel names from a
 * kallsyms fixture. */
#include "check.h"
#include "collapse.h"
#include "sym.h"

#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
	pid_t pid;
	uint64_t plain, stat, cxx, rust, inl, jit;
};

static int start_fixture(struct fixture *fx)
{
	int fds[2];
	const char *bin = getenv("SYMTEST");
	if (!bin || pipe(fds))
		return -1;
	fx->pid = fork();
	if (fx->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char name[32];
	unsigned long long addr;
	int n = 0;
	while (n < 6 && fscanf(f, "%31s %llx", name, &addr) == 2) {
		n++;
		if (!strcmp(name, "plain")) fx->plain = addr;
		else if (!strcmp(name, "static")) fx->stat = addr;
		else if (!strcmp(name, "cxx")) fx->cxx = addr;
		else if (!strcmp(name, "rust")) fx->rust = addr;
		else if (!strcmp(name, "inline")) fx->inl = addr;
		else if (!strcmp(name, "jit")) fx->jit = addr;
	}
	fclose(f);
	return n == 6 ? 0 : -1;
}

static void stop_fixture(struct fixture *fx)
{
	kill(fx->pid, SIGKILL);
	waitpid(fx->pid, NULL, 0);
}

/* the frames of a one-address (leaf) stack of the image (pid, gen), joined with ';' */
static const char *resolve_gen(struct sym_session *s, struct profile *p, uint32_t pid,
			       uint32_t gen, uint64_t addr)
{
	static char buf[1024];
	uint32_t out[16];
	int n = sym_user_stack(s, p, pid, gen, &addr, 1, out, 16);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(buf, ";");
		strncat(buf, prof_frame_name(p, out[i]), sizeof(buf) - strlen(buf) - 2);
	}
	return buf;
}

static const char *resolve(struct sym_session *s, struct profile *p, uint32_t pid, uint64_t addr)
{
	return resolve_gen(s, p, pid, 0, addr);
}

static void test_user(void)
{
	struct fixture fx;
	CHECK_INT(start_fixture(&fx), 0);
	char map[64];
	snprintf(map, sizeof(map), "/tmp/perf-%d.map", (int)fx.pid);
	FILE *jf = fopen(map, "w");
	CHECK(jf != NULL);
	if (jf) {
		fprintf(jf, "%" PRIx64 " 40 LJava/Thing;::run\n", fx.jit);
		fclose(jf);
	}

	struct sym_opts o = { .inline_frames = true };
	struct sym_session *s;
	struct profile *p = prof_new();
	CHECK_INT(sym_open(&s, &o), 0);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx.pid, 0), 0);
	for (int round = 0; round < 2; round++) {
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.plain), "plain_function");
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.stat), "static_function");
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.cxx), "ns::Klass<int>::method(int)");
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.rust), "core::fmt::write");
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.inl), "outer_function;inner_inline_[i]");
		/* a ";" would split the frame in folded output: it becomes ":" */
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.jit + 8), "LJava/Thing:::run");
		CHECK_STR(resolve(s, p, (uint32_t)fx.pid, 8), "[unknown]");
		/* the second round runs after the process has exited: still named */
		if (round == 0)
			stop_fixture(&fx);
	}
	unlink(map);

	/* a new profile gets its own frame ids; names are the same */
	struct profile *p2 = prof_new();
	CHECK_STR(resolve(s, p2, (uint32_t)fx.pid, fx.plain), "plain_function");
	prof_free(p2);

	/* the same executable and libc in another process are not opened again */
	struct sym_stats before, after;
	sym_get_stats(s, &before);
	struct fixture fx2;
	CHECK_INT(start_fixture(&fx2), 0);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx2.pid, 0), 0);
	CHECK_STR(resolve(s, p, (uint32_t)fx2.pid, fx2.cxx), "ns::Klass<int>::method(int)");
	sym_get_stats(s, &after);
	CHECK_INT(after.modules_loaded, before.modules_loaded);
	CHECK_INT(after.pids, before.pids + 1);
	stop_fixture(&fx2);
	sym_close(s);

	/* without --inline, no inlined frames; with --addrs, unknown frames keep the address */
	struct sym_opts o2 = { .addrs = true, .no_demangle = true };
	CHECK_INT(start_fixture(&fx), 0);
	CHECK_INT(sym_open(&s, &o2), 0);
	CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.inl), "outer_function");
	CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.cxx), "_ZN2ns5KlassIiE6methodEi");
	CHECK_STR(resolve(s, p, (uint32_t)fx.pid, 0x1234), "[unknown <1234>]");
	/* an anonymous executable mapping without a JIT map: its address */
	char want[64];
	snprintf(want, sizeof(want), "[unknown <%" PRIx64 ">]", fx.jit + 4);
	CHECK_STR(resolve(s, p, (uint32_t)fx.pid, fx.jit + 4), want);
	stop_fixture(&fx);
	sym_close(s);
	prof_free(p);
}

static void test_kernel(void)
{
	struct sym_opts o = { .kallsyms_path = "data/kallsyms.txt", .kernel_annotate = true };
	struct sym_session *s;
	struct profile *p = prof_new();
	CHECK_INT(sym_open(&s, &o), 0);
	/* leaf first, as BPF stores it */
	uint64_t ips[] = { 0xffffffffc0001210, 0xffffffffc0001005, 0xffffffff81000410,
			   0xffffffff81000120, 0xffffffff80000000 };
	uint32_t out[8];
	int n = sym_kernel_stack(s, p, ips, 5, out, 8);
	CHECK_INT(n, 5);
	const char *want[] = { "[unknown]_[k]", "do_syscall_64_[k]", "vfs_read_[k]",
			       "ext4_file_read_iter [ext4]_[k]", "ext4_map_blocks [ext4]_[k]" };
	for (int i = 0; i < n && i < 5; i++)
		CHECK_STR(prof_frame_name(p, out[i]), want[i]);
	/* data symbols are not functions: an address after some_data is vfs_read's neighbour */
	uint64_t ip = 0xffffffff81000310;
	CHECK_INT(sym_kernel_stack(s, p, &ip, 1, out, 8), 1);
	CHECK_STR(prof_frame_name(p, out[0]), "helper_static_[k]");
	/* a return address is looked up at ip - 1, padding symbols (__pfx_) are never frames,
	 * and past _etext nothing resolves: the idle stack reads start_reservations, not
	 * x86_64_start_kernel;__pfx_... (leaf first: past _etext, then two return addresses) */
	uint64_t idle[] = { 0xffffffff81000700, 0xffffffff81000560, 0xffffffff81000550 };
	CHECK_INT(sym_kernel_stack(s, p, idle, 3, out, 8), 3);
	CHECK_STR(prof_frame_name(p, out[0]), "x86_64_start_reservations_[k]");
	CHECK_STR(prof_frame_name(p, out[1]), "x86_64_start_kernel_[k]");
	CHECK_STR(prof_frame_name(p, out[2]), "[unknown]_[k]");
	ip = 0xffffffff81000545;	/* a leaf inside the padding: the function before it */
	CHECK_INT(sym_kernel_stack(s, p, &ip, 1, out, 8), 1);
	CHECK_STR(prof_frame_name(p, out[0]), "x86_64_start_reservations_[k]");
	sym_close(s);

	/* a module's text ends at base + size from /proc/modules, even when its line is long
	 * (a module many others use lists them all) */
	o.modules_path = "data/modules.txt";
	CHECK_INT(sym_open(&s, &o), 0);
	ip = 0xffffffffc0001250;
	CHECK_INT(sym_kernel_stack(s, p, &ip, 1, out, 8), 1);
	CHECK_STR(prof_frame_name(p, out[0]), "ext4_map_blocks [ext4]_[k]");
	ip = 0xffffffffc0001300;	/* past ext4's 768 bytes */
	CHECK_INT(sym_kernel_stack(s, p, &ip, 1, out, 8), 1);
	CHECK_STR(prof_frame_name(p, out[0]), "[unknown]_[k]");
	sym_close(s);
	prof_free(p);
}

/* /tmp/perf-PID.map is anyone's to create: root reads it only when it is a regular file owned
 * by root or the process's user, never through a link, never blocking on a FIFO, and a long
 * line is one line (its tail is not an entry) */
static void test_hostile_jit_maps(void)
{
	struct fixture fx;
	char map[64], want[64], target[64];
	struct sym_opts o = { .addrs = true };
	struct profile *p = prof_new();
	struct sym_session *s;
	CHECK_INT(start_fixture(&fx), 0);
	snprintf(map, sizeof(map), "/tmp/perf-%d.map", (int)fx.pid);
	snprintf(want, sizeof(want), "[unknown <%" PRIx64 ">]", fx.jit + 8);

	/* a FIFO: the snapshot returns (no one ever writes it), and the frame is unknown */
	unlink(map);
	CHECK_INT(mkfifo(map, 0666), 0);
	CHECK_INT(sym_open(&s, &o), 0);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx.pid, 1), 0);
	CHECK_STR(resolve_gen(s, p, (uint32_t)fx.pid, 1, fx.jit + 8), want);
	unlink(map);

	/* owned by another user than the process's (and not root): ignored */
	FILE *jf = fopen(map, "w");
	fprintf(jf, "%" PRIx64 " 40 planted_name\n", fx.jit);
	fclose(jf);
	CHECK_INT(chown(map, 65534, 65534), 0);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx.pid, 2), 0);
	CHECK_STR(resolve_gen(s, p, (uint32_t)fx.pid, 2, fx.jit + 8), want);

	/* a link to a good map: not followed */
	snprintf(target, sizeof(target), "/tmp/perf-%d.target", (int)fx.pid);
	CHECK_INT(rename(map, target), 0);
	CHECK_INT(chown(target, 0, 0), 0);
	CHECK_INT(symlink(target, map), 0);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx.pid, 3), 0);
	CHECK_STR(resolve_gen(s, p, (uint32_t)fx.pid, 3, fx.jit + 8), want);
	unlink(map);
	unlink(target);

	/* a name longer than any line buffer, then a forged entry: one entry, the long name */
	jf = fopen(map, "w");
	fprintf(jf, "%" PRIx64 " 10 ", fx.jit);
	for (int i = 0; i < 5000; i++)
		fputc('x', jf);
	fprintf(jf, " %" PRIx64 " 40 forged\n", fx.jit + 16);
	fclose(jf);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx.pid, 4), 0);
	snprintf(want, sizeof(want), "[unknown <%" PRIx64 ">]", fx.jit + 20);
	CHECK_STR(resolve_gen(s, p, (uint32_t)fx.pid, 4, fx.jit + 20), want);
	CHECK(!strncmp(resolve_gen(s, p, (uint32_t)fx.pid, 4, fx.jit + 8), "xxxxxxxx", 8));
	unlink(map);

	/* two 10 KB names that differ only at the end stay two whole frames (never cut) */
	jf = fopen(map, "w");
	for (int k = 0; k < 2; k++) {
		fprintf(jf, "%" PRIx64 " 10 ", fx.jit + 16 * (uint64_t)k);
		for (int i = 0; i < 10000; i++)
			fputc('y', jf);
		fprintf(jf, "%c\n", 'A' + k);
	}
	fclose(jf);
	CHECK_INT(sym_snapshot_pid(s, (uint32_t)fx.pid, 5), 0);
	for (int k = 0; k < 2; k++) {
		uint64_t addr = fx.jit + 16 * (uint64_t)k + 4;
		uint32_t id;
		CHECK_INT(sym_user_stack(s, p, (uint32_t)fx.pid, 5, &addr, 1, &id, 1), 1);
		CHECK_INT(prof_frame_len(p, id), 10001);
		CHECK(prof_frame_name(p, id)[10000] == 'A' + k);
	}
	unlink(map);
	stop_fixture(&fx);
	sym_close(s);
	prof_free(p);
}

int main(void)
{
	test_user();
	test_hostile_jit_maps();
	test_kernel();
	CHECK_DONE();
}
