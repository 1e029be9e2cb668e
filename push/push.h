/* Continuous mode of `record`: each interval's profile goes to a Pyroscope server (its
 * /ingest API) and/or a directory (one pprof file per interval). Sending runs on its own
 * thread with a bounded queue and retries, so a slow server never stalls sampling. */
#ifndef SCORCH_PUSH_H
#define SCORCH_PUSH_H

#include "profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pyroscope's documented ingest limits */
#define PUSH_MAX_STACKS 16000		/* unique stacks per profile */
#define PUSH_MAX_LINE 65536		/* a folded line this long ends its parse */

struct push_cfg {
	const char *url;	/* http://HOST[:PORT][/PREFIX] or NULL */
	const char *dir;	/* --push-dir or NULL */
	const char *app;	/* the application name (name=APP.cpu{...}) */
	const char *labels;	/* k=v,k=v or NULL */
	bool folded;		/* format=folded (default: pprof) */
	double hz;
	double flush_s;		/* at the end, how long to keep trying to send */
	size_t queue_max;	/* profiles waiting to be sent, at most */
};

/* With a URL, every profile made ends as one of sent, rejected, dropped or unsent. */
struct push_stats {
	uint64_t intervals;	/* profiles made */
	uint64_t sent;		/* accepted by the server (2xx) */
	uint64_t retries;	/* failed attempts retried */
	uint64_t rejected;	/* refused for good (4xx but 408/429) */
	uint64_t dropped;	/* oldest dropped when the queue was full */
	uint64_t unsent;	/* still queued when the flush time ran out, or not made */
	uint64_t files;		/* written to --push-dir */
	uint64_t file_errors;
	uint64_t stacks_folded;	/* stacks past PUSH_MAX_STACKS, folded into one marker */
	uint64_t lines_cut;	/* stacks cut to keep their folded line under PUSH_MAX_LINE */
	uint64_t samples;	/* samples in all the profiles made */
	char last_error[256];
};

struct pusher;

/* Checks the configuration (URL, names, labels) and starts the sender thread. Returns 0, or
 * -EINVAL with the reason in err. */
int push_open(struct pusher **out, const struct push_cfg *cfg, char *err, size_t errlen);
/* Takes p's stacks as the profile of [from, until) (seconds since the epoch), queues it and
 * writes it to the directory; the caller then resets p's counts. Returns 0 or -errno. */
int push_interval(struct pusher *pu, const struct profile *p, double from, double until);
/* Sends what is queued (up to cfg->flush_s), stops the thread, fills st and frees. */
void push_close(struct pusher *pu, struct push_stats *st);

#endif
