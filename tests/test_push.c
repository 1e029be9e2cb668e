/* Continuous mode's payloads within Pyroscope's limits, through --push-dir (the same profile
 * goes to the server): more than 16,000 unique stacks keep the 15,999 largest and fold the
 * rest into one [other stacks] stack of their summed count; a stack whose folded line would
 * reach 64 KiB keeps the root-side frames that fit, then [stack cut]; totals are kept. */
#include "check.h"
#include "collapse.h"
#include "pprof.h"
#include "push.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct profile *read_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct profile *p = NULL;
	int files = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		p = prof_new();
		struct collapse_opts o = { .sample_type = "samples" };
		CHECK_INT(collapse_file(p, path, FMT_AUTO, &o), 0);
		CHECK(!strncmp(e->d_name, "t-1000000-1003500.pb.gz", 24));
		unlink(path);
		files++;
	}
	if (d)
		closedir(d);
	CHECK_INT(files, 1);
	return p;
}

int main(void)
{
	char dir[] = "/tmp/scorch-push-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct push_cfg cfg = { .dir = dir, .app = "t", .hz = 99 };
	struct pusher *pu;
	char err[256];
	CHECK_INT(push_open(&pu, &cfg, err, sizeof(err)), 0);

	/* 20,000 stacks: stack k has count k + 1; and one deep stack of 70 KB of frames */
	struct profile *p = prof_new();
	uint64_t total = 0;
	for (int k = 0; k < 20000; k++) {
		char name[32];
		uint32_t f[2];
		f[0] = (uint32_t)prof_intern(p, "root", 4);
		f[1] = (uint32_t)prof_intern(p, name, (size_t)snprintf(name, sizeof(name), "f%d", k));
		CHECK_INT(prof_add(p, f, 2, (uint64_t)k + 1), 0);
		total += (uint64_t)k + 1;
	}
	uint32_t deep[700];
	for (int i = 0; i < 700; i++) {
		char name[128];
		int n = snprintf(name, sizeof(name), "deep_%03d_", i);
		memset(name + n, 'x', 99 - n);	/* 100 bytes a frame with its ';' */
		deep[i] = (uint32_t)prof_intern(p, name, 99);
	}
	CHECK_INT(prof_add(p, deep, 700, 1000000), 0);	/* the largest: kept, but cut */
	total += 1000000;
	CHECK_INT(push_interval(pu, p, 1000.0, 1003.5), 0);
	struct push_stats st;
	push_close(pu, &st);
	CHECK_INT(st.intervals, 1);
	CHECK_INT(st.files, 1);
	CHECK_INT(st.stacks_folded, 20001 - 15999);
	CHECK_INT(st.lines_cut, 1);
	CHECK_INT(st.samples, total);

	struct profile *got = read_file(dir);
	rmdir(dir);
	CHECK_INT(prof_nstacks(got), 16000);
	CHECK_INT(prof_total_int(got), total);
	uint64_t other = 0, cut_depth = 0, cut_line = 0;
	for (size_t i = 0; i < prof_nstacks(got); i++) {
		const struct prof_stack *s = prof_stack(got, i);
		const uint32_t *f = prof_stack_frames(got, s);
		const char *leaf = prof_frame_name(got, f[s->depth - 1]);
		if (!strcmp(leaf, "[other stacks]")) {
			CHECK_INT(s->depth, 1);
			other = s->count;
		} else if (!strcmp(leaf, "[stack cut]")) {
			cut_depth = s->depth;
			for (uint32_t d = 0; d < s->depth; d++)
				cut_line += prof_frame_len(got, f[d]) + 1;
			cut_line += 7;	/* the count, 1000000 */
			CHECK_STR(prof_frame_name(got, f[0]), prof_frame_name(p, deep[0]));
		}
	}
	/* folded: the 4,002 smallest (counts 1..4002), so 4002 * 4003 / 2 */
	CHECK_INT(other, 4002ull * 4003 / 2);
	CHECK(cut_depth > 600 && cut_depth < 700);
	CHECK(cut_line < 65536 && cut_line > 65536 - 200);
	prof_free(p);
	prof_free(got);
	CHECK_DONE();
}
