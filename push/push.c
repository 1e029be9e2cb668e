/* Continuous mode (see push.h). The main thread turns each interval's profile into the bytes
 * Pyroscope's /ingest takes (pprof or folded, within its limits) and queues them; a sender
 * thread posts them over HTTP/1.1, retrying with backoff; the queue is bounded (the oldest
 * profile goes first, counted). Nothing is dropped without being counted and reported. */
#include "push.h"
#include "lineio.h"
#include "pprof.h"
#include "vec.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PUSH_MARKER_OTHER "[other stacks]"
#define PUSH_MARKER_CUT "[stack cut]"
#define BACKOFF_MAX_S 30.0
#define CONNECT_TIMEOUT_MS 5000
#define POST_TIMEOUT_S 30.0		/* one post, connection to answer */

struct push_item {
	char *body;
	size_t len;
	char *query;		/* everything after "/ingest?" */
	unsigned attempts;
	double next_try;	/* monotonic seconds */
};

struct pusher {
	struct push_cfg cfg;
	char *host, *port, *prefix;	/* from cfg.url */
	struct addrinfo *addrs;		/* host resolved once, at open */
	char *name;			/* APP.cpu{labels}, URL-encoded */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct push_item *q;		/* FIFO: q[0] is the oldest */
	size_t qn, qcap;
	bool closing;
	bool in_flight;			/* the sender holds one item, off the queue */
	double flush_deadline;
	struct push_stats st;
	char send_error[256];		/* the sender thread's last failure */
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the main thread's last failure */
static void set_error(struct pusher *pu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct pusher *pu, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pu->st.last_error, sizeof(pu->st.last_error), fmt, ap);
	va_end(ap);
}

/* the sender thread's (read by the main thread after the join) */
static void send_error(struct pusher *pu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_error(struct pusher *pu, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pu->send_error, sizeof(pu->send_error), fmt, ap);
	va_end(ap);
}

/* ---- configuration ---- */

static bool name_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

/* k=v,k=v: keys [A-Za-z0-9_.], values without , { } = or spaces */
static bool labels_ok(const char *s, char *err, size_t errlen)
{
	char *copy = strdup(s), *save = NULL;
	bool ok = copy != NULL;
	for (char *kv = copy ? strtok_r(copy, ",", &save) : NULL; ok && kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq || eq == kv || !eq[1]) {
			snprintf(err, errlen, "--labels: '%s' is not KEY=VALUE", kv);
			ok = false;
			break;
		}
		*eq = '\0';
		if (!name_ok(kv, "_.") || !name_ok(eq + 1, "_.-:/+@")) {
			snprintf(err, errlen, "--labels: '%s=%s' has characters a label cannot hold "
				 "(keys: letters, digits, _ and .)", kv, eq + 1);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

static char *url_encode(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *w = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			*w++ = (char)c;
		else
			w += sprintf(w, "%%%02X", c);
	}
	*w = '\0';
	return out;
}

static int parse_url(struct pusher *pu, const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "http://", 7)) {
		snprintf(err, errlen, "--push: '%s' is not an http:// URL (https: put a local proxy "
			 "or agent in front)", url);
		return -EINVAL;
	}
	const char *h = url + 7, *slash = strchr(h, '/');
	size_t hl = slash ? (size_t)(slash - h) : strlen(h);
	char *hostport = strndup(h, hl);
	if (!hostport)
		return -ENOMEM;
	char *colon = hostport[0] == '[' ? strstr(hostport, "]:") : strrchr(hostport, ':');
	if (colon && hostport[0] == '[')
		colon++;
	const char *port = colon ? colon + 1 : "80";
	if (colon)
		*colon = '\0';
	char *host = hostport;
	if (host[0] == '[') {	/* [v6] */
		host++;
		char *rb = strchr(host, ']');
		if (rb)
			*rb = '\0';
	}
	pu->host = strdup(host);
	pu->port = strdup(port);
	/* the prefix keeps no trailing '/': PREFIX/ingest */
	size_t pl = slash ? strlen(slash) : 0;
	while (pl && slash[pl - 1] == '/')
		pl--;
	pu->prefix = strndup(slash ? slash : "", pl);
	free(hostport);
	if (!pu->host || !pu->port || !pu->prefix)
		return -ENOMEM;
	if (!*pu->host || !name_ok(pu->port, "")) {
		snprintf(err, errlen, "--push: no host or a bad port in '%s'", url);
		return -EINVAL;
	}
	return 0;
}

/* ---- one interval's payload ---- */

static int cmp_count_desc(const void *a, const void *b, void *ctx)
{
	const struct profile *p = ctx;
	const struct prof_stack *x = prof_stack(p, *(const uint32_t *)a),
				*y = prof_stack(p, *(const uint32_t *)b);
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* the decimal digits of v */
static size_t digits(uint64_t v)
{
	size_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* p's stacks within Pyroscope's limits, in a new profile: the PUSH_MAX_STACKS - 1 largest
 * and one [other stacks] for the rest; a stack whose folded line would reach PUSH_MAX_LINE
 * keeps its root-side frames that fit, then [stack cut]. */
static struct profile *limited(struct pusher *pu, const struct profile *p)
{
	size_t ns = prof_nstacks(p), nf = prof_nframes(p);
	struct profile *out = prof_new();
	uint32_t *order = malloc((ns ? ns : 1) * sizeof(uint32_t));
	uint32_t *map = calloc(nf ? nf : 1, sizeof(uint32_t));	/* frame id + 1 in out */
	uint32_t *buf = NULL;
	size_t buf_cap = 0;
	if (!out || !order || !map)
		goto fail;
	size_t n = 0;
	for (size_t i = 0; i < ns; i++)
		if (prof_stack(p, i)->depth && prof_stack(p, i)->count)
			order[n++] = (uint32_t)i;
	size_t keep = n;
	if (n > PUSH_MAX_STACKS) {
		qsort_r(order, n, sizeof(*order), cmp_count_desc, (void *)p);
		keep = PUSH_MAX_STACKS - 1;
	}
	int64_t cut_id = -1;
	for (size_t k = 0; k < keep; k++) {
		const struct prof_stack *s = prof_stack(p, order[k]);
		const uint32_t *f = prof_stack_frames(p, s);
		if (vec_grow((void **)&buf, &buf_cap, s->depth + 1, sizeof(*buf), 64))
			goto fail;
		size_t line = digits(s->count) + 1, d = 0;
		for (; d < s->depth; d++) {
			size_t add = prof_frame_len(p, f[d]) + 1;
			/* room left for ";[stack cut]" should the next frames not fit */
			if (line + add + sizeof(PUSH_MARKER_CUT) + 1 >= PUSH_MAX_LINE)
				break;
			line += add;
			if (!map[f[d]]) {
				int64_t id = prof_intern(out, prof_frame_name(p, f[d]),
							 prof_frame_len(p, f[d]));
				if (id < 0)
					goto fail;
				map[f[d]] = (uint32_t)id + 1;
			}
			buf[d] = map[f[d]] - 1;
		}
		if (d < s->depth) {
			if (cut_id < 0 &&
			    (cut_id = prof_intern(out, PUSH_MARKER_CUT, strlen(PUSH_MARKER_CUT))) < 0)
				goto fail;
			buf[d++] = (uint32_t)cut_id;
			pu->st.lines_cut++;
		}
		int err = prof_add(out, buf, d, s->count);
		if (err && err != -EOVERFLOW)
			goto fail;
	}
	if (keep < n) {
		uint64_t rest = 0;
		for (size_t k = keep; k < n; k++) {
			uint64_t c = prof_stack(p, order[k])->count;
			rest = rest + c < rest ? UINT64_MAX : rest + c;
		}
		int64_t id = prof_intern(out, PUSH_MARKER_OTHER, strlen(PUSH_MARKER_OTHER));
		if (id < 0)
			goto fail;
		uint32_t one = (uint32_t)id;
		int err = prof_add(out, &one, 1, rest);
		if (err && err != -EOVERFLOW)
			goto fail;
		pu->st.stacks_folded += n - keep;
	}
	free(order);
	free(map);
	free(buf);
	return out;
fail:
	prof_free(out);
	free(order);
	free(map);
	free(buf);
	return NULL;
}

static int write_dir(struct pusher *pu, const struct profile *lim, double from, double until)
{
	char *path;
	/* APP-FROM-UNTIL.pb.gz in Unix milliseconds: sorted by time, one name per interval */
	if (asprintf(&path, "%s/%s-%.0f-%.0f.pb.gz", pu->cfg.dir, pu->cfg.app, floor(from * 1000),
		     floor(until * 1000)) < 0)
		return -ENOMEM;
	struct atomic_out out;
	char err[256] = "";
	struct pprof_meta m = { .hz = pu->cfg.hz, .time_nanos = (int64_t)(from * 1e9),
				.duration_nanos = (int64_t)((until - from) * 1e9) };
	int ret = aout_open(&out, path);
	if (!ret)
		ret = pprof_write(lim, &m, out.fp, err, sizeof(err));
	if (!ret)
		ret = aout_commit(&out);
	else
		aout_abort(&out);
	if (ret) {
		pu->st.file_errors++;
		set_error(pu, "%s: %s", path, err[0] ? err : strerror(-ret));
	} else {
		pu->st.files++;
	}
	free(path);
	return ret;
}

int push_interval(struct pusher *pu, const struct profile *p, double from, double until)
{
	struct profile *lim = limited(pu, p);
	if (!lim)
		return -ENOMEM;
	pu->st.intervals++;
	pu->st.samples += prof_total_int(lim);
	int ret = 0;
	if (pu->cfg.dir)
		write_dir(pu, lim, from, until);	/* counted; the server still gets it */
	if (!pu->cfg.url) {
		prof_free(lim);
		return 0;
	}
	struct push_item it = { 0 };
	FILE *f = open_memstream(&it.body, &it.len);
	char err[256] = "";
	if (!f) {
		prof_free(lim);
		return -ENOMEM;
	}
	if (pu->cfg.folded) {
		ret = fold_write(lim, f);
	} else {
		struct pprof_meta m = { .hz = pu->cfg.hz, .time_nanos = (int64_t)(from * 1e9),
					.duration_nanos = (int64_t)((until - from) * 1e9) };
		ret = pprof_write(lim, &m, f, err, sizeof(err));
	}
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret == -ENOMEM && !err[0])
		snprintf(err, sizeof(err), "out of memory");
	prof_free(lim);
	/* whole seconds, floored, so windows of consecutive intervals meet */
	if (!ret && asprintf(&it.query, "name=%s&from=%.0f&until=%.0f&sampleRate=%.0f"
			     "&spyName=scorch&format=%s", pu->name, floor(from),
			     fmax(floor(until), floor(from) + 1), pu->cfg.hz,
			     pu->cfg.folded ? "folded" : "pprof") < 0)
		ret = -ENOMEM;
	if (ret) {	/* made, not sent: counted as unsent (the recording then stops) */
		free(it.body);
		free(it.query);
		pthread_mutex_lock(&pu->mu);
		pu->st.unsent++;
		pthread_mutex_unlock(&pu->mu);
		set_error(pu, "a profile could not be made: %s", err[0] ? err : strerror(-ret));
		return ret;
	}
	pthread_mutex_lock(&pu->mu);
	if (pu->qn == pu->cfg.queue_max) {	/* bounded: the oldest goes, counted */
		free(pu->q[0].body);
		free(pu->q[0].query);
		memmove(pu->q, pu->q + 1, (pu->qn - 1) * sizeof(*pu->q));
		pu->qn--;
		pu->st.dropped++;
		set_error(pu, "the send queue was full (%zu profiles): the oldest was dropped",
			  pu->cfg.queue_max);
	}
	if (vec_grow((void **)&pu->q, &pu->qcap, pu->qn + 1, sizeof(*pu->q), 16)) {
		ret = -ENOMEM;
		pu->st.unsent++;
		free(it.body);
		free(it.query);
	} else {
		it.next_try = 0;
		pu->q[pu->qn++] = it;
		pthread_cond_signal(&pu->cv);
	}
	pthread_mutex_unlock(&pu->mu);
	return ret;
}

/* ---- HTTP ---- */

/* milliseconds left until deadline (monotonic seconds), at least 0 */
static int ms_left(double deadline)
{
	double left = (deadline - mono_s()) * 1000;
	return left <= 0 ? 0 : left > 3600000 ? 3600000 : (int)left + 1;
}

/* waits for events on fd until deadline; false on timeout or error */
static bool wait_fd(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int r;
	while ((r = poll(&pfd, 1, ms_left(deadline))) < 0 && errno == EINTR)
		;
	return r == 1 && !(pfd.revents & POLLNVAL);
}

/* a connected non-blocking socket to the server, or -1 (the address was resolved once, at
 * push_open: no lookup can hang here) */
static int connect_to(struct pusher *pu, double deadline)
{
	int fd = -1;
	for (struct addrinfo *a = pu->addrs; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			double until = fmin(deadline, mono_s() + CONNECT_TIMEOUT_MS / 1000.0);
			if (wait_fd(fd, POLLOUT, until) &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
				return fd;
			send_error(pu, "%s:%s: %s", pu->host, pu->port,
				   soerr ? strerror(soerr) : "connection timed out");
		} else {
			send_error(pu, "%s:%s: %s", pu->host, pu->port, strerror(errno));
		}
		close(fd);
		fd = -1;
	}
	return -1;
}

static bool send_all(int fd, const char *p, size_t n, double deadline)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (errno == EAGAIN && !wait_fd(fd, POLLOUT, deadline)) {
				errno = ETIMEDOUT;
				return false;
			}
			continue;
		}
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* The HTTP status of one POST, or -1 when no answer came. Every step shares one deadline,
 * so a slow server cannot hold the sender (or the end of the recording) longer. A server
 * that answers before reading the whole body (413, then a reset) still has its answer read. */
static int post(struct pusher *pu, const struct push_item *it, double deadline)
{
	int fd = connect_to(pu, deadline);
	if (fd < 0)
		return -1;
	bool v6 = strchr(pu->host, ':') != NULL;
	char *head = NULL;
	int hl = asprintf(&head, "POST %s/ingest?%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
			  "User-Agent: scorch\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n", pu->prefix, it->query, v6 ? "[" : "",
			  pu->host, v6 ? "]" : "", pu->port,
			  pu->cfg.folded ? "text/plain" : "application/octet-stream", it->len);
	if (hl < 0) {
		close(fd);
		send_error(pu, "out of memory");
		return -1;
	}
	int status = -1;
	bool sent = send_all(fd, head, (size_t)hl, deadline) &&
		    send_all(fd, it->body, it->len, deadline);
	int send_errno = errno;
	if (!sent)
		shutdown(fd, SHUT_WR);
	char resp[1024];
	size_t n = 0;
	while (n < sizeof(resp) - 1 && wait_fd(fd, POLLIN, deadline)) {
		ssize_t r = recv(fd, resp + n, sizeof(resp) - 1 - n, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	resp[n] = '\0';
	int code;
	if (sscanf(resp, "HTTP/1.%*d %d", &code) == 1) {
		status = code;
		if (code < 200 || code > 299) {
			const char *body = strstr(resp, "\r\n\r\n");
			send_error(pu, "HTTP %d from %s:%s: %.160s", code, pu->host, pu->port,
				   body ? body + 4 : "");
		}
	} else {
		send_error(pu, "%s:%s: %s", pu->host, pu->port,
			   !sent ? strerror(send_errno) : mono_s() >= deadline ? "no answer in time"
							    : "no HTTP response");
	}
	free(head);
	close(fd);
	return status;
}

/* The sender owns the item it sends: it is off the queue meanwhile, so the main thread can
 * never free it; a failed one goes back at the head (or, the queue being full, is the oldest
 * and is dropped, counted). Every profile ends as sent, rejected, dropped or unsent. */
static void *sender(void *arg)
{
	struct pusher *pu = arg;
	pthread_mutex_lock(&pu->mu);
	for (;;) {
		double now = mono_s();
		if (pu->closing && (pu->qn == 0 || now >= pu->flush_deadline))
			break;
		if (pu->qn == 0 || pu->q[0].next_try > now) {
			/* wait for work, the head's next try, or the flush deadline */
			double until = pu->qn ? pu->q[0].next_try : now + 3600;
			if (pu->closing && pu->flush_deadline < until)
				until = pu->flush_deadline;
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);	/* the condition's clock */
			double wait = until - now;
			ts.tv_sec += (time_t)wait;
			ts.tv_nsec += (long)((wait - floor(wait)) * 1e9);
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&pu->cv, &pu->mu, &ts);
			continue;
		}
		struct push_item it = pu->q[0];	/* the oldest first: profiles arrive in order */
		memmove(pu->q, pu->q + 1, (pu->qn - 1) * sizeof(*pu->q));
		pu->qn--;
		pu->in_flight = true;
		double deadline = now + POST_TIMEOUT_S;
		if (pu->closing && pu->flush_deadline < deadline)
			deadline = pu->flush_deadline;
		pthread_mutex_unlock(&pu->mu);
		int status = post(pu, &it, deadline);
		pthread_mutex_lock(&pu->mu);
		pu->in_flight = false;
		bool done = true;
		if (status >= 200 && status <= 299) {
			pu->st.sent++;
		} else if (status >= 400 && status <= 499 && status != 408 && status != 429) {
			pu->st.rejected++;	/* the server will never take it: reported */
		} else if (pu->qn >= pu->cfg.queue_max) {
			pu->st.dropped++;	/* full: the oldest (this one) goes */
		} else {
			pu->st.retries++;
			it.attempts++;
			double back = pow(2, it.attempts - 1);
			it.next_try = mono_s() + (back < BACKOFF_MAX_S ? back : BACKOFF_MAX_S);
			if (vec_grow((void **)&pu->q, &pu->qcap, pu->qn + 1, sizeof(*pu->q), 16)) {
				pu->st.dropped++;
			} else {
				memmove(pu->q + 1, pu->q, pu->qn * sizeof(*pu->q));
				pu->q[0] = it;
				pu->qn++;
				done = false;
			}
		}
		if (done) {
			free(it.body);
			free(it.query);
		}
	}
	pthread_mutex_unlock(&pu->mu);
	return NULL;
}

int push_open(struct pusher **out, const struct push_cfg *cfg, char *err, size_t errlen)
{
	struct pusher *pu = calloc(1, sizeof(*pu));
	if (!pu)
		return -ENOMEM;
	pu->cfg = *cfg;
	if (!pu->cfg.app)
		pu->cfg.app = "scorch";
	if (!pu->cfg.queue_max)
		pu->cfg.queue_max = 64;
	if (pu->cfg.flush_s <= 0)
		pu->cfg.flush_s = 10;
	int ret = 0;
	if (!name_ok(pu->cfg.app, "_.-")) {
		snprintf(err, errlen, "--app: '%s': letters, digits, _ . and - only", pu->cfg.app);
		ret = -EINVAL;
	} else if (pu->cfg.labels && !labels_ok(pu->cfg.labels, err, errlen)) {
		ret = -EINVAL;
	} else if (pu->cfg.url) {
		ret = parse_url(pu, pu->cfg.url, err, errlen);
	}
	if (!ret && pu->cfg.dir) {
		struct stat st;
		if (stat(pu->cfg.dir, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--push-dir: %s: not a directory", pu->cfg.dir);
			ret = -EINVAL;
		}
	}
	char *raw = NULL;
	if (!ret && asprintf(&raw, "%s.cpu{%s}", pu->cfg.app,
			     pu->cfg.labels ? pu->cfg.labels : "") < 0)
		ret = -ENOMEM;
	if (!ret && !(pu->name = url_encode(raw)))
		ret = -ENOMEM;
	free(raw);
	if (!ret && pu->cfg.url) {	/* once: no lookup can hang a post later */
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
		int r = getaddrinfo(pu->host, pu->port, &hints, &pu->addrs);
		if (r) {
			snprintf(err, errlen, "--push: %s: %s", pu->host, gai_strerror(r));
			pu->addrs = NULL;
			ret = -EINVAL;
		}
	}
	pthread_mutex_init(&pu->mu, NULL);
	pthread_condattr_t ca;	/* deadlines are monotonic: a clock set back delays nothing */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pu->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (!ret && pu->cfg.url) {
		if ((ret = -pthread_create(&pu->thread, NULL, sender, pu)))
			snprintf(err, errlen, "cannot start the sender thread: %s", strerror(-ret));
		else
			pu->thread_started = true;
	}
	if (ret) {
		struct push_stats st;
		push_close(pu, &st);
		return ret;
	}
	*out = pu;
	return 0;
}

void push_close(struct pusher *pu, struct push_stats *st)
{
	if (pu->thread_started) {
		pthread_mutex_lock(&pu->mu);
		pu->closing = true;
		pu->flush_deadline = mono_s() + pu->cfg.flush_s;
		for (size_t i = 0; i < pu->qn; i++)	/* the end is near: try now */
			pu->q[i].next_try = 0;
		pthread_cond_signal(&pu->cv);
		pthread_mutex_unlock(&pu->mu);
		pthread_join(pu->thread, NULL);
	}
	pu->st.unsent += pu->qn;
	if (pu->send_error[0] && (pu->st.retries || pu->st.rejected || pu->st.unsent))
		snprintf(pu->st.last_error, sizeof(pu->st.last_error), "%s", pu->send_error);
	for (size_t i = 0; i < pu->qn; i++) {
		free(pu->q[i].body);
		free(pu->q[i].query);
	}
	*st = pu->st;
	pthread_mutex_destroy(&pu->mu);
	pthread_cond_destroy(&pu->cv);
	free(pu->q);
	if (pu->addrs)
		freeaddrinfo(pu->addrs);
	free(pu->host);
	free(pu->port);
	free(pu->prefix);
	free(pu->name);
	free(pu);
}
