/* SPDX-License-Identifier: ISC */
/*
 * dns_unbound.c - the libunbound backend of the resolver interface (dns.h).
 *
 * One ub_ctx per resolver, shared by every thread, in threaded async mode:
 * queries are handed to libunbound's own worker thread with
 * ub_resolve_async (thread-safe) from whichever thread calls dns_start,
 * and answers come back over a pipe (ub_fd). An event thread of ours
 * polls that pipe and calls ub_process, which runs ubq_done for each
 * answer; ubq_done turns the ub_result into a struct dns_result and wakes
 * the query's waiter through the query's condition variable (on
 * CLOCK_MONOTONIC, the clock of dns_wait's deadline). So a thread may have
 * several queries in flight and many threads may wait at once.
 *
 * Ownership of a query (struct ubq): two references, one for the caller
 * (dropped by wait or cancel) and one for libunbound's callback (dropped
 * by ubq_done, or by the caller when ub_cancel succeeds: libunbound then
 * never calls back). Whoever drops the last frees it, so neither side
 * frees what the other still uses. All of it is guarded by the resolver's
 * mutex; lock order is our mutex, then libunbound's internal locks
 * (ub_cancel is called with ours held; ubq_done is called by ub_process
 * with none of libunbound's held).
 *
 * Rdata arrives in wire format (RFC 1035 3.3) with names uncompressed;
 * it is parsed with explicit bounds (STYLE.md 5) into the same struct
 * dns_rr the zone backend fills.
 * Not here: logging (libunbound's is switched off), caching policy,
 * reading unbound.conf or /etc/hosts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "err.h"
#include "dns.h"
#include "dns_unbound.h"

/*
 * DNS flag day 2020: 1232 bytes fits the IPv6 minimum MTU, so answers are
 * not fragmented (spoofable fragments); longer answers come over TCP.
 */
#define UB_EDNS_BUFFER_SIZE	"1232"
/*
 * Outgoing UDP sockets open at once. libunbound's library default is 16,
 * which would queue a busy milter's lookups behind each other; each one
 * is a file descriptor, so this stays well below common fd limits.
 */
#define UB_OUTGOING_RANGE	"256"
#define UB_CLASS_IN		1
/* A zone name never configured, removed to finalize the configuration. */
#define UB_NO_SUCH_ZONE		"inkan-finalize.invalid."
/* RFC 1035 4.1.1 RCODEs */
#define UB_RCODE_NOERROR	0
#define UB_RCODE_NXDOMAIN	3
/* RFC 1035 3.1: a name is at most 255 bytes in wire form. */
#define UB_WIRE_NAME_MAX	255

struct ubr {
	struct ub_ctx	*ctx;
	int		 ubfd;		/* ub_fd(ctx), for the event thread */
	unsigned int	 timeout_ms;	/* per query */
	/* guards started and every field of every ubq but id and expire */
	pthread_mutex_t	 lock;
	bool		 started;	/* the event thread runs */
	pthread_t	 thread;
	int		 wake[2];	/* a byte on wake[1] stops the thread */
};

struct ubq {
	struct ubr	*r;
	pthread_cond_t	 cond;		/* signalled when done is set */
	/* set by dns_start's thread only; read by the same thread (and
	 * type and started by ubq_done, which runs after they are set) */
	int		 id;		/* libunbound's async_id */
	enum dns_type	 type;
	struct timespec	 started;	/* when dns_start sent it */
	struct timespec	 expire;	/* start + the per-query timeout */
	/* caller + callback; the one dropping the last frees the query */
	int		 refs;
	bool		 done;		/* res is filled in */
	bool		 nomem;		/* ... except that memory ran out */
	struct dns_result res;
};

/* What parsing one rdata gave. */
enum rd_status {
	RD_OK,
	RD_BAD,		/* malformed: the whole answer is SERVFAIL */
	RD_NOMEM,
};

/* A cursor over one rdata with a sticky error (STYLE.md 5). */
struct cur {
	const unsigned char	*p, *end;
	bool			 bad;
};

/* One byte; 0 and c->bad if there is none. */
static unsigned int
cur_byte(struct cur *c)
{
	if (c->bad || c->p == c->end) {
		c->bad = true;
		return 0;
	}
	return *c->p++;
}

/*
 * A <domain-name> in wire form (RFC 1035 3.1), uncompressed, into out
 * (DNS_NAME_MAX + 1 bytes) as text without the trailing dot ("" for the
 * root). Bytes with no plain text form (outside '!'..'~', or '.' and '\'
 * which would change the name's meaning) are refused rather than
 * escaped: inkan compares and re-queries these names as plain strings.
 */
static void
cur_name(struct cur *c, char *out)
{
	size_t wire = 0, o = 0, i;
	unsigned int lab;

	out[0] = '\0';
	for (;;) {
		lab = cur_byte(c);
		if (c->bad)
			return;
		/* also refuses compression pointers (0xc0): none here */
		if (lab > DNS_LABEL_MAX ||
		    (wire += 1 + lab) > UB_WIRE_NAME_MAX) {
			c->bad = true;
			return;
		}
		if (lab == 0)
			break;
		if ((size_t)(c->end - c->p) < lab ||
		    o + 1 + lab > DNS_NAME_MAX) {
			c->bad = true;
			return;
		}
		if (o > 0)
			out[o++] = '.';
		for (i = 0; i < lab; i++) {
			unsigned char ch = c->p[i];

			if (ch < 0x21 || ch > 0x7e || ch == '.' ||
			    ch == '\\') {
				c->bad = true;
				return;
			}
			out[o++] = (char)ch;
		}
		c->p += lab;
	}
	out[o] = '\0';
}

/*
 * TXT/SPF rdata: one or more <character-string>s (RFC 1035 3.3.14), each
 * a length byte and that many bytes, filling the whole rdata. Joined with
 * no separator (RFC 6376 3.6.2.2, RFC 7208 3.3), kept apart in pieces.
 */
static enum rd_status
rd_txt(const unsigned char *p, size_t len, struct dns_rr *rr)
{
	const unsigned char *end = p + len, *s;
	size_t n = 0, total = 0, i, off;

	/* pass 1: check every length against the end, count */
	for (s = p; s < end; s += 1 + *s) {
		if ((size_t)(end - s - 1) < *s)
			return RD_BAD;	/* a string running past the rdata */
		n++;
		total += *s;
	}
	if (n == 0)
		return RD_BAD;	/* RFC 1035 3.3.14: at least one string */
	if ((rr->data = malloc(total + 1)) == NULL ||
	    (rr->pieces = calloc(n, sizeof(*rr->pieces))) == NULL)
		return RD_NOMEM;
	/* pass 2: copy */
	for (s = p, i = 0, off = 0; i < n; s += 1 + *s, i++) {
		memcpy(rr->data + off, s + 1, *s);
		rr->pieces[i].data = rr->data + off;
		rr->pieces[i].len = *s;
		off += *s;
	}
	rr->data[total] = '\0';
	rr->len = total;
	rr->npieces = n;
	return RD_OK;
}

/* One rdata of type rr->type into rr. */
static enum rd_status
rd_parse(const unsigned char *p, size_t len, struct dns_rr *rr)
{
	struct cur c = { p, p + len, false };
	char name[DNS_NAME_MAX + 1];
	size_t alen;

	switch (rr->type) {
	case DNS_TXT:
	case DNS_SPF:
		return rd_txt(p, len, rr);
	case DNS_A:
	case DNS_AAAA:
		alen = rr->type == DNS_A ? 4 : 16;
		if (len != alen)
			return RD_BAD;
		/* 17 bytes: the address and the NUL dns.h promises */
		if ((rr->data = calloc(1, 17)) == NULL)
			return RD_NOMEM;
		memcpy(rr->data, p, alen);
		rr->len = alen;
		return RD_OK;
	case DNS_MX:
		rr->pref = (uint16_t)(cur_byte(&c) << 8);
		rr->pref |= (uint16_t)cur_byte(&c);
		cur_name(&c, name);	/* "" is a null MX (RFC 7505) */
		break;
	case DNS_PTR:
	case DNS_CNAME:
	case DNS_NS:
		cur_name(&c, name);
		/* as the zone backend: these never point at the root */
		if (!c.bad && name[0] == '\0')
			return RD_BAD;
		break;
	default:
		return RD_BAD;
	}
	if (c.bad || c.p != c.end)
		return RD_BAD;	/* short, or bytes after the name */
	if ((rr->name = strdup(name)) == NULL)
		return RD_NOMEM;
	return RD_OK;
}

/* Documented in dns_unbound.h; the callback's only parser. */
int
dns_unbound_answer(enum dns_type type, int err, const struct ub_result *res,
    struct dns_result *out)
{
	size_t n, i;
	enum rd_status st;

	out->status = DNS_SERVFAIL;
	/* err: libunbound could not resolve (no memory, a broken pipe) */
	if (err != 0 || res == NULL)
		return 0;
	/* RFC 4035 5.5: a bogus answer is not handed to the application */
	if (res->bogus)
		return 0;
	if (res->rcode == UB_RCODE_NXDOMAIN || res->nxdomain) {
		out->status = DNS_NXDOMAIN;
		out->secure = res->secure != 0;
		return 0;
	}
	if (res->rcode != UB_RCODE_NOERROR)
		return 0;	/* SERVFAIL, REFUSED, ... */
	if (!res->havedata || res->data == NULL || res->data[0] == NULL) {
		out->status = DNS_NODATA;
		out->secure = res->secure != 0;
		return 0;
	}
	for (n = 0; res->data[n] != NULL; n++)
		;
	if ((out->rr = calloc(n, sizeof(*out->rr))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct dns_rr *rr = &out->rr[out->n++];	/* free sees it */

		rr->type = type;
		rr->ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
		if (res->len[i] < 0)
			st = RD_BAD;
		else
			st = rd_parse((const unsigned char *)res->data[i],
			    (size_t)res->len[i], rr);
		if (st == RD_NOMEM)
			return -1;
		if (st == RD_BAD) {
			dns_result_free(out);
			out->status = DNS_SERVFAIL;
			return 0;
		}
	}
	out->status = DNS_OK;
	out->secure = res->secure != 0;
	return 0;
}

static void
ubq_free(struct ubq *q)
{
	pthread_cond_destroy(&q->cond);
	dns_result_free(&q->res);
	free(q);
}

/*
 * libunbound's callback, run by ub_process in the event thread with no
 * libunbound lock held. Not called after a successful ub_cancel.
 */
static void
ubq_done(void *arg, int err, struct ub_result *res)
{
	struct ubq *q = arg;
	struct ubr *r = q->r;
	struct dns_result out;
	bool nomem, last;

	/* parse before taking the lock: q->type does not change */
	dns_result_init(&out);
	nomem = dns_unbound_answer(q->type, err, res, &out) == -1;
	out.usec = dns_usec_since(&q->started);
	ub_resolve_free(res);
	if (nomem)
		dns_result_free(&out);

	pthread_mutex_lock(&r->lock);
	q->res = out;	/* the records move to the query */
	q->nomem = nomem;
	q->done = true;
	pthread_cond_signal(&q->cond);
	last = --q->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		ubq_free(q);	/* the caller cancelled while we ran */
}

/*
 * Give up on q, with r->lock held and q not done. If ub_cancel succeeds
 * the callback never comes and its reference is dropped here; otherwise
 * the answer is being delivered (ubq_done is waiting for our lock) and
 * ubq_done drops it.
 */
static void
ubq_abandon(struct ubr *r, struct ubq *q)
{
	if (ub_cancel(r->ctx, q->id) == UB_NOERROR)
		q->refs--;
}

/* The event thread: deliver answers until woken through r->wake. */
static void *
ubr_loop(void *arg)
{
	struct ubr *r = arg;
	struct pollfd pfd[2];
	bool ub_ok = true;
	struct timespec pause = { 0, 10 * 1000000L };

	for (;;) {
		pfd[0].fd = r->wake[0];
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		/* after a libunbound failure, waiters time out; just wait */
		pfd[1].fd = ub_ok ? r->ubfd : -1;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		if (poll(pfd, 2, -1) == -1) {
			if (errno != EINTR)
				nanosleep(&pause, NULL);	/* no busy loop */
			continue;
		}
		if (pfd[0].revents != 0)
			break;
		/* runs every callback of the answers read, to the end */
		if (pfd[1].revents != 0 && ub_process(r->ctx) != UB_NOERROR)
			ub_ok = false;
	}
	return NULL;
}

/* Start the event thread unless it runs; r->lock held. 0 or -1. */
static int
ubr_run(struct ubr *r, struct err *e)
{
	sigset_t all, old;
	int rc;

	if (r->started)
		return 0;
	/* signals are for the daemon's threads, not this one */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, ubr_loop, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return err_set(e, "dns unbound: cannot start a thread: %s",
		    strerror(rc));
	r->started = true;
	return 0;
}

static void
ts_add_ms(struct timespec *ts, unsigned int ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *
ubr_start(void *ctx, const char *name, enum dns_type type, struct err *e)
{
	struct ubr *r = ctx;
	pthread_condattr_t ca;
	struct ubq *q;
	int rc, id = 0;

	pthread_mutex_lock(&r->lock);
	rc = ubr_run(r, e);
	pthread_mutex_unlock(&r->lock);
	if (rc == -1)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		err_set(e, "dns unbound: out of memory");
		return NULL;
	}
	if (pthread_condattr_init(&ca) != 0) {
		free(q);
		err_set(e, "dns unbound: out of memory");
		return NULL;
	}
	/* dns_wait's deadline is on CLOCK_MONOTONIC, so is the wait */
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		free(q);
		err_set(e, "dns unbound: pthread_cond_init: %s",
		    strerror(rc));
		return NULL;
	}
	q->r = r;
	q->type = type;
	q->refs = 2;
	dns_result_init(&q->res);
	clock_gettime(CLOCK_MONOTONIC, &q->started);
	q->expire = q->started;
	ts_add_ms(&q->expire, r->timeout_ms);
	/*
	 * From here ubq_done may run (even before this returns) and own
	 * a reference. It does not touch q->id, which only this thread
	 * reads, in wait or cancel.
	 */
	rc = ub_resolve_async(r->ctx, name, (int)type, UB_CLASS_IN, q,
	    ubq_done, &id);
	if (rc != UB_NOERROR) {
		/* libunbound dropped the query: no callback will come */
		ubq_free(q);
		err_set(e, "dns unbound: %s: %s", name, ub_strerror(rc));
		return NULL;
	}
	q->id = id;
	return q;
}

static int
ubr_wait(void *ctx, void *bq, const struct timespec *deadline,
    struct dns_result *out, struct err *e)
{
	struct ubr *r = ctx;
	struct ubq *q = bq;
	const struct timespec *until = &q->expire;
	bool last;
	int rc = 0;

	if (deadline != NULL && ts_before(deadline, until))
		until = deadline;
	pthread_mutex_lock(&r->lock);
	while (!q->done) {
		/* EINVAL (a bad deadline) ends the wait as a timeout */
		if (pthread_cond_timedwait(&q->cond, &r->lock, until) != 0)
			break;
	}
	/* the answer may have come in while the wait timed out: take it */
	if (q->done && q->nomem) {
		rc = err_set(e, "dns unbound: out of memory");
	} else if (q->done) {
		*out = q->res;	/* the records move to the caller */
		dns_result_init(&q->res);
	} else {
		ubq_abandon(r, q);
		out->status = DNS_TIMEOUT;
		out->usec = dns_usec_since(&q->started);
	}
	last = --q->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		ubq_free(q);
	return rc;
}

static void
ubr_cancel(void *ctx, void *bq)
{
	struct ubr *r = ctx;
	struct ubq *q = bq;
	bool last;

	pthread_mutex_lock(&r->lock);
	if (!q->done)
		ubq_abandon(r, q);
	last = --q->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		ubq_free(q);
}

static void
ubr_free(void *ctx)
{
	struct ubr *r = ctx;
	ssize_t w;

	if (r == NULL)
		return;
	if (r->started) {
		/*
		 * Every query has ended (dns.h). A callback still owed (its
		 * ub_cancel came too late) runs inside the ub_process call
		 * under way, which finishes before the thread sees the byte.
		 */
		do
			w = write(r->wake[1], "x", 1);
		while (w == -1 && errno == EINTR);
		pthread_join(r->thread, NULL);
	}
	/*
	 * After the thread: ub_ctx_delete reads the answer pipe itself. It
	 * drops outstanding (cancelled) queries without calling back.
	 */
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	if (r->wake[0] != -1)
		close(r->wake[0]);
	if (r->wake[1] != -1)
		close(r->wake[1]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static const struct dns_backend unbound_backend = {
	ubr_start, ubr_wait, ubr_cancel, ubr_free,
};

/* Configure r->ctx from opts; 0 or -1 with e filled. */
static int
ubr_configure(struct ubr *r, const struct dns_unbound_opts *o,
    struct err *e)
{
	static const struct {
		const char	*opt, *val;
	} set[] = {
		{ "edns-buffer-size:", UB_EDNS_BUFFER_SIZE },
		{ "outgoing-range:", UB_OUTGOING_RANGE },
		{ "use-syslog:", "no" },
		{ "val-log-level:", "0" },
	};
	size_t i;
	int rc;

	/* no log output: dns.h modules do not log (the core reports) */
	ub_ctx_debugout(r->ctx, NULL);
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if ((rc = ub_ctx_set_option(r->ctx, set[i].opt,
		    set[i].val)) != UB_NOERROR)
			return err_set(e, "dns unbound: option %s %s: %s",
			    set[i].opt, set[i].val, ub_strerror(rc));
	/* resolve in a thread, not a forked process */
	if ((rc = ub_ctx_async(r->ctx, 1)) != UB_NOERROR)
		return err_set(e, "dns unbound: async: %s", ub_strerror(rc));
	for (i = 0; i < o->nforwarders; i++)
		if ((rc = ub_ctx_set_fwd(r->ctx, o->forwarders[i])) !=
		    UB_NOERROR)
			return err_set(e, "dns unbound: forwarder \"%s\": %s",
			    o->forwarders[i], ub_strerror(rc));
	if (o->nforwarders == 0 &&
	    (o->resolv_conf == NULL || o->resolv_conf[0] != '\0')) {
		errno = 0;
		rc = ub_ctx_resolvconf(r->ctx, o->resolv_conf);
		if (rc != UB_NOERROR)
			return err_set(e, "dns unbound: %s: %s%s%s",
			    o->resolv_conf != NULL ? o->resolv_conf :
			    "/etc/resolv.conf", ub_strerror(rc),
			    errno != 0 ? ": " : "",
			    errno != 0 ? strerror(errno) : "");
	}
	if (o->trust_anchor_file != NULL) {
		errno = 0;
		rc = ub_ctx_add_ta_file(r->ctx, o->trust_anchor_file);
		if (rc != UB_NOERROR)
			return err_set(e, "dns unbound: trust anchor %s: %s%s%s",
			    o->trust_anchor_file, ub_strerror(rc),
			    errno != 0 ? ": " : "",
			    errno != 0 ? strerror(errno) : "");
	}
	/*
	 * libunbound only stores the trust anchor file's name; it reads it
	 * when the configuration is finalized, by default at the first
	 * query, which would then fail (and every later one). Finalize now
	 * so a missing or bad file is an error here: ub_ctx_zone_remove
	 * finalizes first, and no zone has this name (RFC 6761 6.4).
	 * From here options fail with UB_AFTERFINAL; local zones and data
	 * can still be added. Zones before data, or libunbound makes a
	 * "transparent" zone for each record's owner and asks upstream for
	 * its other types.
	 */
	errno = 0;
	if ((rc = ub_ctx_zone_remove(r->ctx, UB_NO_SUCH_ZONE)) != UB_NOERROR)
		return err_set(e, "dns unbound: %s%s: %s%s%s",
		    o->trust_anchor_file != NULL ? "trust anchor " : "",
		    o->trust_anchor_file != NULL ? o->trust_anchor_file :
		    "configuration", ub_strerror(rc),
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	for (i = 0; i < o->nlocal_zones; i++)
		if ((rc = ub_ctx_zone_add(r->ctx, o->local_zones[i],
		    "static")) != UB_NOERROR)
			return err_set(e, "dns unbound: local zone \"%s\": %s",
			    o->local_zones[i], ub_strerror(rc));
	for (i = 0; i < o->nlocal_data; i++)
		if ((rc = ub_ctx_data_add(r->ctx, o->local_data[i])) !=
		    UB_NOERROR)
			return err_set(e, "dns unbound: local data \"%.64s\": "
			    "%s", o->local_data[i], ub_strerror(rc));
	return 0;
}

struct dns_resolver *
dns_unbound_new(const struct dns_unbound_opts *opts, struct err *e)
{
	static const struct dns_unbound_opts defaults;
	struct ubr *r;
	int rc;

	if (opts == NULL)
		opts = &defaults;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		err_set(e, "dns unbound: out of memory");
		return NULL;
	}
	r->wake[0] = r->wake[1] = -1;
	r->timeout_ms = opts->query_timeout_ms != 0 ?
	    opts->query_timeout_ms : DNS_UNBOUND_DEFAULT_TIMEOUT_MS;
	if ((rc = pthread_mutex_init(&r->lock, NULL)) != 0) {
		free(r);
		err_set(e, "dns unbound: pthread_mutex_init: %s",
		    strerror(rc));
		return NULL;
	}
	if (pipe2(r->wake, O_CLOEXEC) == -1) {
		err_set(e, "dns unbound: pipe: %s", strerror(errno));
		ubr_free(r);
		return NULL;
	}
	/* ub_ctx_create reads no file (no unbound.conf, no resolv.conf) */
	if ((r->ctx = ub_ctx_create()) == NULL) {
		err_set(e, "dns unbound: cannot create a context");
		ubr_free(r);
		return NULL;
	}
	if (ubr_configure(r, opts, e) == -1) {
		ubr_free(r);
		return NULL;
	}
	if ((r->ubfd = ub_fd(r->ctx)) == -1) {
		err_set(e, "dns unbound: no answer pipe");
		ubr_free(r);
		return NULL;
	}
	return dns_resolver_new(&unbound_backend, r, e);
}
