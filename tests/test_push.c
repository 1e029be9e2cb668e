/* Continuous mode's payloads within Pyroscope's limits, through --push-dir (the same profile
 * goes to the server): more than 16,000 unique stacks keep the 15,999 largest and fold the
 * rest into one [other stacks] stack of their summed count; a stack whose folded line would
 * reach 64 KiB keeps the root-side frames that fit, then [stack cut]; totals are kept. */
#include "check.h"
#include "collapse.h"
#include "pprof.h"
#include "push.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A one-thread HTTP server on 127.0.0.1: each connection gets `answer` after `delay_ms`;
 * with early, it answers after the headers and closes without reading the body (as a server
 * refusing a too-large body does). */
struct server {
	int fd, port, delay_ms, requests;
	const char *answer;
	bool early;
};

static void *serve(void *arg)
{
	struct server *sv = arg;
	for (;;) {
		int c = accept(sv->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char buf[65536];
		ssize_t n, got = 0;
		while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
			got += n;
			if (sv->early && memmem(buf, (size_t)n, "\r\n\r\n", 4))
				break;
			if (!sv->early && got > 0 && n < (ssize_t)sizeof(buf))
				usleep(20000);	/* let the rest of the body arrive */
			struct timeval tv = { 0, 200000 };
			setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		usleep((useconds_t)sv->delay_ms * 1000);
		send(c, sv->answer, strlen(sv->answer), MSG_NOSIGNAL);
		sv->requests++;
		close(c);
	}
}

static void server_start(struct server *sv, pthread_t *t)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	sv->fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_INT(bind(sv->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_INT(listen(sv->fd, 16), 0);
	getsockname(sv->fd, (struct sockaddr *)&a, &al);
	sv->port = ntohs(a.sin_port);
	pthread_create(t, NULL, serve, sv);
}

/* a profile of n one-frame stacks with names of len bytes */
static struct profile *small_profile(int n, int len)
{
	struct profile *p = prof_new();
	char name[8192];
	for (int k = 0; k < n; k++) {
		int l = snprintf(name, sizeof(name), "%0*d", len, k);
		uint32_t f = (uint32_t)prof_intern(p, name, (size_t)l);
		CHECK_INT(prof_add(p, &f, 1, 1), 0);
	}
	return p;
}

/* Every profile made ends sent, rejected, dropped or unsent, and the one being sent is the
 * sender's: a full queue drops the oldest waiting one, never the one in flight (ASan would
 * see it freed under the sender). A refusal before the body is read is a rejection, not a
 * retry. */
static void test_sender(void)
{
	struct server sv = { .delay_ms = 600, .answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" };
	pthread_t t;
	server_start(&sv, &t);
	char url[64], err[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", sv.port);
	struct push_cfg cfg = { .url = url, .app = "t", .hz = 99, .folded = true, .queue_max = 1,
				.flush_s = 10 };
	struct pusher *pu;
	CHECK_INT(push_open(&pu, &cfg, err, sizeof(err)), 0);
	struct profile *p = small_profile(3000, 1000);	/* 3 MB: in flight a while */
	CHECK_INT(push_interval(pu, p, 1000, 1001), 0);
	usleep(200000);	/* the sender has it */
	CHECK_INT(push_interval(pu, p, 1001, 1002), 0);	/* waits */
	CHECK_INT(push_interval(pu, p, 1002, 1003), 0);	/* full: the waiting one goes */
	struct push_stats st;
	push_close(pu, &st);
	CHECK_INT(st.intervals, 3);
	CHECK_INT(st.sent, 2);
	CHECK_INT(st.dropped, 1);
	CHECK_INT(st.sent + st.rejected + st.dropped + st.unsent, st.intervals);

	/* 413 after the headers, then closed: rejected once, not retried */
	sv.early = true;
	sv.delay_ms = 0;
	sv.answer = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big\n";
	cfg.queue_max = 4;
	CHECK_INT(push_open(&pu, &cfg, err, sizeof(err)), 0);
	CHECK_INT(push_interval(pu, p, 1003, 1004), 0);
	push_close(pu, &st);
	CHECK_INT(st.rejected, 1);
	CHECK_INT(st.retries, 0);
	CHECK(strstr(st.last_error, "HTTP 413") != NULL);
	shutdown(sv.fd, SHUT_RDWR);
	close(sv.fd);
	pthread_join(t, NULL);
	prof_free(p);
}

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

static void test_limits(void)
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
}

int main(void)
{
	test_limits();
	test_sender();
	CHECK_DONE();
}
