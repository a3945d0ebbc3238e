/* SPDX-License-Identifier: ISC */
/*
 * milter_load.c - a milter-protocol load client: it plays the MTA to one
 * running milter, or to a chain of them as Postfix does with several
 * smtpd_milters, over N concurrent connections, and reports what the
 * message costs the milter: messages/s, latency p50/p99, the milter's CPU
 * time per 1000 messages read from /proc/PID/stat (so the client's own CPU
 * does not count), its peak RSS, and every header field it added (so a
 * run that signed nothing cannot look fast). See tests/bench/README.
 *
 * A message is outbound when -A gives an authenticated user ({auth_type},
 * {auth_authen} at MAIL), inbound otherwise. In a chain, the envelope
 * steps go to each milter in turn and the content goes to one milter
 * after the other, each seeing the fields added by those before it, as
 * Postfix's cleanup does; so OpenDMARC sees OpenDKIM's
 * Authentication-Results.
 * Not a test: it measures, it asserts nothing (the smoke test does).
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mproto.h"
#include "msgfile.h"

#define MAX_CHAIN	4	/* milters in a chain */
#define MAX_PIDS	8	/* processes whose CPU and RSS count */
#define MAX_FILES	16	/* messages in the corpus */
#define MAX_HNAMES	16	/* distinct added field names counted */
#define MAX_CONNS	1024

/* SMFIP_* step flags (libmilter/mfdef.h), named here to keep the
 * client independent of the filter-side headers. */
#define P_NOCONNECT	0x1UL
#define P_NOHELO	0x2UL
#define P_NOMAIL	0x4UL
#define P_NORCPT	0x8UL
#define P_NOBODY	0x10UL
#define P_NOHDRS	0x20UL
#define P_NOEOH		0x40UL
#define P_NR_HDR	0x80UL
#define P_NODATA	0x200UL
#define P_NR_CONN	0x1000UL
#define P_NR_HELO	0x2000UL
#define P_NR_MAIL	0x4000UL
#define P_NR_RCPT	0x8000UL
#define P_NR_DATA	0x10000UL
#define P_NR_EOH	0x40000UL
#define P_NR_BODY	0x80000UL
#define P_LEADSPC	0x100000UL

enum outcome { OUT_OK, OUT_REJECT, OUT_TEMPFAIL, OUT_DISCARD, OUT_ERROR };

struct opts {
	const char	*socks[MAX_CHAIN];
	size_t		 nsocks;
	struct msgfile	 msgs[MAX_FILES];
	size_t		 nmsgs;
	unsigned	 conns;
	unsigned long	 total;
	unsigned long	 per_conn;
	unsigned long	 warmup;
	const char	*auth_user;	/* outbound when set */
	const char	*client_ip;
	const char	*helo;
	const char	*mail_from;
	const char	*rcpt;
	pid_t		 pids[MAX_PIDS];
	size_t		 npids;
	int		 timeout;
	unsigned	 idle;
	bool		 quiet;
	bool		 verbose;	/* print the first message's edits */
};

struct hcount {
	char		 name[64];
	unsigned long	 n;
};

struct stats {
	unsigned long	 n[OUT_ERROR + 1];
	unsigned long	 quarantined, changed, other_edits;
	struct hcount	 h[MAX_HNAMES];
	size_t		 nh;
};

/* A field added by an earlier milter of the chain, for the later ones. */
struct added {
	char	*name;
	char	*value;		/* with its leading space */
	bool	 top;		/* inserted at the top, else appended */
};

struct worker {
	struct stats	 st;
	struct added	*add;
	size_t		 nadd, addcap;
	unsigned char	*scratch;
	size_t		 scap;
	char		 err[200];
};

static struct opts o;
static unsigned long next_msg;	/* atomic: the next message to send */
static double *latency_ms;	/* per message */
static unsigned long errors_printed;
static int first_shown;		/* atomic: -v printed its message */

static void
now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	now(&t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
count_header(struct stats *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nh; i++)
		if (strcasecmp(st->h[i].name, name) == 0) {
			st->h[i].n++;
			return;
		}
	if (st->nh == MAX_HNAMES)
		return;
	snprintf(st->h[st->nh].name, sizeof(st->h[st->nh].name), "%s", name);
	st->h[st->nh++].n = 1;
}

static void
report_error(struct worker *w, const char *what, const struct mconn *c)
{
	/* a few are enough to see why; the count is in the summary */
	if (__atomic_fetch_add(&errors_printed, 1, __ATOMIC_SEQ_CST) < 5)
		fprintf(stderr, "milter_load: %s: %s\n", what,
		    c != NULL ? c->err : w->err);
}

static int
scratch(struct worker *w, size_t len)
{
	unsigned char *n;

	if (len <= w->scap)
		return 0;
	if ((n = realloc(w->scratch, len)) == NULL)
		return -1;
	w->scratch = n;
	w->scap = len;
	return 0;
}

/*
 * One step that the milter may have declined (noflag) or said it will
 * not answer (nrflag). Returns the reply code, 'c' when there is none
 * to wait for, or 0 on an I/O or protocol error.
 */
static char
step(struct mconn *c, char cmd, const void *data, size_t len,
    unsigned long noflag, unsigned long nrflag)
{
	const unsigned char *d;
	size_t dlen;
	char code;

	if (noflag != 0 && mconn_skips(c, noflag))
		return 'c';
	if (mconn_send(c, cmd, data, len) == -1)
		return 0;
	if (nrflag != 0 && mconn_skips(c, nrflag))
		return 'c';
	do {
		if (mconn_read(c, &code, &d, &dlen) == -1)
			return 0;
	} while (code == 'p');	/* progress: keep waiting */
	return code;
}

/* What a reply other than continue/accept/skip means for the message. */
static enum outcome
verdict(char code, const unsigned char *d, size_t len)
{
	switch (code) {
	case 'r':
		return OUT_REJECT;
	case 't':
		return OUT_TEMPFAIL;
	case 'd':
		return OUT_DISCARD;
	case 'y':
		return len > 0 && d[0] == '5' ? OUT_REJECT : OUT_TEMPFAIL;
	default:
		return OUT_ERROR;
	}
}

static int
send_connect(struct mconn *c)
{
	static const char *const names[] = { "j", "{daemon_name}",
	    "{client_addr}", "{client_name}", "_", "v" };
	char under[128], pkt[256];
	const char *values[6];
	bool v6 = strchr(o.client_ip, ':') != NULL;
	int n;
	char r;

	snprintf(under, sizeof(under), "client.bench.example [%s]",
	    o.client_ip);
	values[0] = "mx.bench.example";
	values[1] = o.auth_user != NULL ? "ORIGINATING" : "bench";
	values[2] = o.client_ip;
	values[3] = "client.bench.example";
	values[4] = under;
	values[5] = "milter_load";
	/* macros go with their step: none for a step the milter declined */
	if (!mconn_skips(c, P_NOCONNECT) &&
	    mconn_macros(c, 'C', names, values, 6) == -1)
		return -1;
	/* hostname NUL, family, port (network order), address NUL */
	n = snprintf(pkt, sizeof(pkt), "client.bench.example%c%c%c%c%s",
	    '\0', v6 ? '6' : '4', 0, 25, o.client_ip);
	if (n < 0 || (size_t)n >= sizeof(pkt))
		return -1;
	if ((r = step(c, 'C', pkt, (size_t)n + 1, P_NOCONNECT, P_NR_CONN)) !=
	    'c' && r != 'a')
		return -1;
	r = step(c, 'H', o.helo, strlen(o.helo) + 1, P_NOHELO, P_NR_HELO);
	return r == 'c' || r == 'a' ? 0 : -1;
}

/* An edit at end of message: count it, keep added fields for the chain. */
static int
take_edit(struct worker *w, struct mconn *c, char code,
    const unsigned char *d, size_t len, bool keep)
{
	const char *name, *value;
	size_t off = code == 'h' ? 0 : 4;
	struct added *a;

	if (code == 'q') {
		w->st.quarantined++;
		return 0;
	}
	if (code != 'h' && code != 'i' && code != 'm') {
		w->st.other_edits++;
		return 0;
	}
	if (len < off + 2 || d[len - 1] != '\0')
		return -1;
	name = (const char *)d + off;
	value = name + strlen(name) + 1;
	if ((const unsigned char *)value >= d + len)
		return -1;
	if (code == 'm') {
		w->st.changed++;
		return 0;
	}
	count_header(&w->st, name);
	if (o.verbose && __atomic_load_n(&first_shown, __ATOMIC_SEQ_CST) == 0)
		printf("%s:%s%s\n", name, (c->steps & P_LEADSPC) ? "" : " ",
		    value);
	if (!keep)
		return 0;
	if (w->nadd == w->addcap) {
		size_t ncap = w->addcap == 0 ? 8 : w->addcap * 2;
		struct added *n = reallocarray(w->add, ncap, sizeof(*n));

		if (n == NULL)
			return -1;
		w->add = n;
		w->addcap = ncap;
	}
	a = &w->add[w->nadd];
	a->top = code == 'i';
	a->name = strdup(name);
	/* without LEADSPC the MTA writes "Name: value": the space is ours */
	if (asprintf(&a->value, "%s%s", (c->steps & P_LEADSPC) ? "" : " ",
	    value) == -1)
		a->value = NULL;
	if (a->name == NULL || a->value == NULL) {
		free(a->name);
		free(a->value);
		return -1;
	}
	w->nadd++;
	return 0;
}

static char
send_field(struct worker *w, struct mconn *c, const char *name,
    const char *value)
{
	size_t nl = strlen(name), vl;

	if (!(c->steps & P_LEADSPC))
		value += strspn(value, " \t");
	vl = strlen(value);
	if (scratch(w, nl + vl + 2) == -1)
		return 0;
	memcpy(w->scratch, name, nl + 1);
	memcpy(w->scratch + nl + 1, value, vl + 1);
	return step(c, 'L', w->scratch, nl + vl + 2, P_NOHDRS, P_NR_HDR);
}

/*
 * The content of one message to one milter: header fields (with those
 * the earlier milters added), end of headers, body, end of message.
 * Returns the outcome; *io is set on an I/O error.
 */
static enum outcome
content(struct worker *w, struct mconn *c, const struct msgfile *m,
    const char *qid, bool keep)
{
	static const char *const iname[] = { "i" };
	const char *ival[] = { qid };
	const unsigned char *d;
	size_t i, off, nadd = w->nadd, dlen;
	char r = 'c';
	bool body = true;

	/* the earlier milters' insertions at index 0 end up last-first */
	for (i = nadd; i > 0 && r == 'c'; i--)
		if (w->add[i - 1].top)
			r = send_field(w, c, w->add[i - 1].name,
			    w->add[i - 1].value);
	for (i = 0; i < m->nf && r == 'c'; i++)
		r = send_field(w, c, m->f[i].name, m->f[i].value);
	for (i = 0; i < nadd && r == 'c'; i++)
		if (!w->add[i].top)
			r = send_field(w, c, w->add[i].name, w->add[i].value);
	if (r == 'c')
		r = step(c, 'N', NULL, 0, P_NOEOH, P_NR_EOH);
	if (r == 'a')
		return OUT_OK;
	for (off = 0; r == 'c' && body && off < m->blen; off += MPROTO_CHUNK) {
		size_t n = m->blen - off < MPROTO_CHUNK ? m->blen - off :
		    MPROTO_CHUNK;

		if (c->steps & P_NOBODY)
			break;
		r = step(c, 'B', m->body + off, n, 0, P_NR_BODY);
		if (r == 's') {		/* the milter has seen enough */
			r = 'c';
			body = false;
		}
	}
	if (r == 'a')
		return OUT_OK;
	if (r != 'c')
		return r == 0 ? OUT_ERROR : verdict(r, c->reply, 0);
	if (mconn_macros(c, 'E', iname, ival, 1) == -1 ||
	    mconn_send(c, 'E', NULL, 0) == -1)
		return OUT_ERROR;
	for (;;) {
		if (mconn_read(c, &r, &d, &dlen) == -1)
			return OUT_ERROR;
		switch (r) {
		case 'a':
		case 'c':
			if (o.verbose && !keep)
				__atomic_store_n(&first_shown, 1,
				    __ATOMIC_SEQ_CST);
			return OUT_OK;
		case 'p':
			continue;
		case 'r':
		case 't':
		case 'd':
		case 'y':
			return verdict(r, d, dlen);
		default:
			if (take_edit(w, c, r, d, dlen, keep) == -1) {
				snprintf(c->err, sizeof(c->err),
				    "bad '%c' reply at end of message", r);
				return OUT_ERROR;
			}
		}
	}
}

static void
forget_added(struct worker *w)
{
	size_t i;

	for (i = 0; i < w->nadd; i++) {
		free(w->add[i].name);
		free(w->add[i].value);
	}
	w->nadd = 0;
}

/*
 * One message through the chain. The envelope goes to every milter in
 * turn, as the SMTP dialogue proceeds; then the content, milter by
 * milter. A milter that accepts early is done with this message.
 */
static enum outcome
message(struct worker *w, struct mconn *m, size_t n, unsigned long idx)
{
	static const char *const mnames[] = { "i", "{mail_addr}",
	    "{auth_type}", "{auth_authen}" };
	static const char *const rnames[] = { "{rcpt_addr}" };
	const struct msgfile *msg = &o.msgs[idx % o.nmsgs];
	const char *mvals[4], *rvals[1];
	char qid[32], from[300], rcpt[300];
	bool done[MAX_CHAIN] = { false };
	enum outcome out = OUT_OK;
	size_t i;
	char r;

	snprintf(qid, sizeof(qid), "B%09lX", idx);
	snprintf(from, sizeof(from), "<%s>", o.mail_from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", o.rcpt);
	mvals[0] = qid;
	mvals[1] = o.mail_from;
	mvals[2] = "PLAIN";
	mvals[3] = o.auth_user;
	rvals[0] = o.rcpt;
	forget_added(w);
	for (i = 0; i < n && out == OUT_OK; i++) {
		if (!mconn_skips(&m[i], P_NOMAIL) && mconn_macros(&m[i], 'M',
		    mnames, mvals, o.auth_user != NULL ? 4 : 2) == -1)
			return OUT_ERROR;
		r = step(&m[i], 'M', from, strlen(from) + 1, P_NOMAIL,
		    P_NR_MAIL);
		if (r == 'a')
			done[i] = true;
		else if (r != 'c')
			out = r == 0 ? OUT_ERROR : verdict(r, m[i].reply, 0);
	}
	for (i = 0; i < n && out == OUT_OK; i++) {
		if (done[i])
			continue;
		if (!mconn_skips(&m[i], P_NORCPT) &&
		    mconn_macros(&m[i], 'R', rnames, rvals, 1) == -1)
			return OUT_ERROR;
		r = step(&m[i], 'R', rcpt, strlen(rcpt) + 1, P_NORCPT,
		    P_NR_RCPT);
		if (r == 'a')
			done[i] = true;
		else if (r != 'c')
			out = r == 0 ? OUT_ERROR : verdict(r, m[i].reply, 0);
	}
	for (i = 0; i < n && out == OUT_OK; i++) {
		if (done[i] || m[i].version < 4)
			continue;
		r = step(&m[i], 'T', NULL, 0, P_NODATA, P_NR_DATA);
		if (r == 'a')
			done[i] = true;
		else if (r != 'c')
			out = r == 0 ? OUT_ERROR : verdict(r, m[i].reply, 0);
	}
	for (i = 0; i < n && out == OUT_OK; i++)
		if (!done[i])
			out = content(w, &m[i], msg, qid, i + 1 < n);
	if (out != OUT_OK && out != OUT_ERROR)
		/* the transaction ends here for every milter */
		for (i = 0; i < n; i++)
			if (mconn_send(&m[i], 'A', NULL, 0) == -1)
				return OUT_ERROR;
	return out;
}

/* Open one session to every milter of the chain: negotiate, CONNECT, HELO. */
static int
session_open(struct worker *w, struct mconn *m)
{
	size_t i;

	for (i = 0; i < o.nsocks; i++)
		m[i].fd = -1;
	for (i = 0; i < o.nsocks; i++)
		if (mconn_open(&m[i], o.socks[i], o.timeout) == -1 ||
		    send_connect(&m[i]) == -1) {
			report_error(w, o.socks[i], &m[i]);
			return -1;
		}
	return 0;
}

static void
session_close(struct mconn *m, bool quit)
{
	size_t i;

	for (i = 0; i < o.nsocks; i++) {
		if (quit && m[i].fd != -1)
			(void)mconn_send(&m[i], 'Q', NULL, 0);
		mconn_close(&m[i]);
	}
}

/* Messages first .. first+k-1 on one session. */
static void
session(struct worker *w, unsigned long first, unsigned long k,
    bool measure)
{
	struct mconn m[MAX_CHAIN];
	struct timespec t0;
	unsigned long j;
	bool ok;

	now(&t0);
	ok = session_open(w, m) == 0;
	for (j = 0; j < k; j++) {
		enum outcome out = OUT_ERROR;

		if (j > 0)
			now(&t0);
		if (ok && (out = message(w, m, o.nsocks, first + j)) ==
		    OUT_ERROR) {
			size_t i;

			for (i = 0; i < o.nsocks; i++)
				if (m[i].err[0] != '\0') {
					report_error(w, o.socks[i], &m[i]);
					break;
				}
			ok = false;
		}
		if (measure) {
			latency_ms[first + j] = ms_since(&t0);
			w->st.n[out]++;
		}
	}
	session_close(m, ok);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		unsigned long first = __atomic_fetch_add(&next_msg, o.per_conn,
		    __ATOMIC_SEQ_CST);

		if (first >= o.total)
			break;
		session(w, first, o.total - first < o.per_conn ?
		    o.total - first : o.per_conn, true);
	}
	return NULL;
}

/* utime + stime of every measured process, in clock ticks. */
static unsigned long long
cpu_ticks(void)
{
	unsigned long long sum = 0;
	size_t i;

	for (i = 0; i < o.npids; i++) {
		char path[64], buf[1024], *p;
		unsigned long long ut, st;
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)o.pids[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* the command name may hold spaces: fields count from ')' */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		    "%llu %llu", &ut, &st) != 2)
			continue;
		sum += ut + st;
	}
	return sum;
}

/* A /proc/PID/status value in kB, summed over the processes. */
static unsigned long
status_kb(const char *key)
{
	unsigned long sum = 0;
	size_t i, kl = strlen(key);

	for (i = 0; i < o.npids; i++) {
		char path[64], line[256];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)o.pids[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
				sum += strtoul(line + kl + 1, NULL, 10);
				break;
			}
		fclose(f);
	}
	return sum;
}

/* Start the peak RSS (VmHWM) afresh, so it covers this run only. */
static bool
reset_peak(void)
{
	bool ok = o.npids > 0;
	size_t i;

	for (i = 0; i < o.npids; i++) {
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/clear_refs",
		    (int)o.pids[i]);
		if ((f = fopen(path, "w")) == NULL) {
			ok = false;
			continue;
		}
		if (fputs("5", f) == EOF)
			ok = false;
		if (fclose(f) == EOF)
			ok = false;
	}
	return ok;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
percentile(const double *sorted, unsigned long n, double p)
{
	unsigned long i;

	if (n == 0)
		return 0;
	i = (unsigned long)(p * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

static void
merge(struct stats *to, const struct stats *from)
{
	size_t i;
	unsigned long k;

	for (i = 0; i <= OUT_ERROR; i++)
		to->n[i] += from->n[i];
	to->quarantined += from->quarantined;
	to->changed += from->changed;
	to->other_edits += from->other_edits;
	for (i = 0; i < from->nh; i++)
		for (k = 0; k < from->h[i].n; k++)
			count_header(to, from->h[i].name);
}

static void
print_results(const struct stats *st, double secs, double cpu_s,
    unsigned long rss_kb, bool peak_reset)
{
	unsigned long n = o.total, failed = n - st->n[OUT_OK];
	size_t i, avg_size = 0;

	for (i = 0; i < o.nmsgs; i++)
		avg_size += o.msgs[i].size;
	avg_size /= o.nmsgs;
	qsort(latency_ms, n, sizeof(*latency_ms), cmp_double);
	if (!o.quiet) {
		printf("milter_load: %lu messages of %zu bytes, %s, %u "
		    "connections, %lu per connection, %zu milter(s)\n", n,
		    avg_size, o.auth_user != NULL ? "outbound" : "inbound",
		    o.conns, o.per_conn, o.nsocks);
		printf("  accepted %lu, rejected %lu, tempfailed %lu, "
		    "discarded %lu, errors %lu; quarantined %lu\n",
		    st->n[OUT_OK], st->n[OUT_REJECT], st->n[OUT_TEMPFAIL],
		    st->n[OUT_DISCARD], st->n[OUT_ERROR], st->quarantined);
		printf("  throughput   %.1f messages/s (%.3f s)\n",
		    secs > 0 ? (double)n / secs : 0, secs);
		printf("  latency      p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		    percentile(latency_ms, n, 0.50),
		    percentile(latency_ms, n, 0.99), latency_ms[n - 1]);
		if (o.npids > 0) {
			printf("  milter CPU   %.3f s per 1000 messages "
			    "(%.3f ms per message)\n", cpu_s * 1000 / (double)n,
			    cpu_s * 1000 / (double)n);
			printf("  milter RSS   peak %lu kB%s\n", rss_kb,
			    peak_reset ? "" : " (since the milter started)");
		}
		printf("  added fields:");
		for (i = 0; i < st->nh; i++)
			printf(" %s %lu", st->h[i].name, st->h[i].n);
		printf("%s; changed %lu; other edits %lu\n",
		    st->nh == 0 ? " none" : "", st->changed, st->other_edits);
	}
	/* one line for scripts */
	printf("RESULT msgs=%lu ok=%lu failed=%lu mps=%.1f p50_ms=%.3f "
	    "p99_ms=%.3f cpu_ms=%.4f rss_kb=%lu", n, st->n[OUT_OK], failed,
	    secs > 0 ? (double)n / secs : 0, percentile(latency_ms, n, 0.50),
	    percentile(latency_ms, n, 0.99),
	    o.npids > 0 ? cpu_s * 1000 / (double)n : -1.0, rss_kb);
	for (i = 0; i < st->nh; i++)
		printf(" hdr_%s=%lu", st->h[i].name, st->h[i].n);
	printf("\n");
}

static int
run_load(void)
{
	pthread_t *th;
	struct worker *w;
	struct stats total;
	struct timespec t0;
	unsigned long long c0, c1;
	unsigned long j;
	double secs;
	bool peak_reset;
	unsigned i;

	if ((th = calloc(o.conns, sizeof(*th))) == NULL ||
	    (w = calloc(o.conns, sizeof(*w))) == NULL ||
	    (latency_ms = calloc(o.total, sizeof(*latency_ms))) == NULL) {
		fprintf(stderr, "milter_load: out of memory\n");
		return 1;
	}
	/* warm-up: keys loaded, caches filled; not measured */
	for (j = 0; j < o.warmup; j++)
		session(&w[0], j, 1, false);
	forget_added(&w[0]);
	memset(&w[0].st, 0, sizeof(w[0].st));
	peak_reset = reset_peak();
	c0 = cpu_ticks();
	now(&t0);
	for (i = 0; i < o.conns; i++)
		if ((errno = pthread_create(&th[i], NULL, worker_main,
		    &w[i])) != 0) {
			perror("milter_load: pthread_create");
			return 1;
		}
	for (i = 0; i < o.conns; i++)
		pthread_join(th[i], NULL);
	secs = ms_since(&t0) / 1e3;
	c1 = cpu_ticks();
	memset(&total, 0, sizeof(total));
	for (i = 0; i < o.conns; i++) {
		merge(&total, &w[i].st);
		forget_added(&w[i]);
		free(w[i].add);
		free(w[i].scratch);
	}
	print_results(&total, secs, (double)(c1 - c0) /
	    (double)sysconf(_SC_CLK_TCK), status_kb("VmHWM"), peak_reset);
	free(th);
	free(w);
	free(latency_ms);
	return total.n[OUT_OK] == o.total ? 0 : 1;
}

/* Hold o.idle negotiated sessions open and report the milter's RSS. */
static int
run_idle(void)
{
	struct mconn (*m)[MAX_CHAIN];
	struct worker w;
	unsigned long before = status_kb("VmRSS"), with;
	unsigned i, opened = 0;

	memset(&w, 0, sizeof(w));
	if ((m = calloc(o.idle, sizeof(*m))) == NULL)
		return 1;
	for (i = 0; i < o.idle; i++) {
		if (session_open(&w, m[i]) == -1) {
			session_close(m[i], false);
			break;
		}
		opened++;
	}
	sleep(1);
	with = status_kb("VmRSS");
	printf("milter_load: %u idle connections open (of %u); milter RSS "
	    "%lu kB before, %lu kB with them\n", opened, o.idle, before, with);
	printf("RESULT idle=%u opened=%u rss_before_kb=%lu rss_kb=%lu\n",
	    o.idle, opened, before, with);
	for (i = 0; i < opened; i++)
		session_close(m[i], true);
	free(m);
	return opened == o.idle ? 0 : 1;
}

static void
usage(void)
{
	fprintf(stderr,
"usage: milter_load -s SOCKET[,SOCKET...] -f MSGFILE [-f MSGFILE ...]\n"
"           [-c CONNS] [-n MESSAGES] [-m PER_CONNECTION] [-w WARMUP]\n"
"           [-A AUTH_USER] [-i CLIENT_IP] [-H HELO] [-F MAIL_FROM]\n"
"           [-R RCPT] [-p PID[,PID...]] [-t TIMEOUT] [-q] [-v]\n"
"       milter_load -s SOCKET -I CONNS [-p PID]   (idle connections)\n"
"       milter_load -g SIZE [-F FROM] [-R RCPT]   (write a message)\n"
"  -A  outbound: the sender authenticated as AUTH_USER; else inbound\n"
"  -p  the milter processes whose CPU and RSS are measured\n"
"  -v  print the fields added to the first message\n"
"  sockets: unix:PATH, inet:PORT@HOST; several make a chain, in order\n");
}

static unsigned long
number(const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "milter_load: bad number %s (%lu..%lu)\n", s,
		    min, max);
		exit(2);
	}
	return v;
}

/* Split a comma-separated list in place. */
static size_t
split(char *s, char **out, size_t max)
{
	size_t n = 0;
	char *t;

	while ((t = strsep(&s, ",")) != NULL)
		if (*t != '\0') {
			if (n == max) {
				fprintf(stderr, "milter_load: list too long\n");
				exit(2);
			}
			out[n++] = t;
		}
	return n;
}

int
main(int argc, char **argv)
{
	const char *files[MAX_FILES];
	char *list[MAX_PIDS];
	size_t nfiles = 0, i, n;
	unsigned long gen = 0;
	int ch, rc;

	o.conns = 8;
	o.total = 1000;
	o.per_conn = 1;
	o.client_ip = "192.0.2.25";
	o.helo = "client.bench.example";
	o.mail_from = "sender@bench.example";
	o.rcpt = "rcpt@dest.example";
	o.timeout = 60;
	while ((ch = getopt(argc, argv, "A:c:f:F:g:H:i:I:m:n:p:qR:s:t:vw:h")) !=
	    -1) {
		switch (ch) {
		case 'A': o.auth_user = optarg; break;
		case 'c': o.conns = (unsigned)number(optarg, 1, MAX_CONNS); break;
		case 'f':
			if (nfiles == MAX_FILES) {
				fprintf(stderr, "milter_load: too many -f\n");
				return 2;
			}
			files[nfiles++] = optarg;
			break;
		case 'F': o.mail_from = optarg; break;
		case 'g': gen = number(optarg, 1, 1UL << 31); break;
		case 'H': o.helo = optarg; break;
		case 'i': o.client_ip = optarg; break;
		case 'I': o.idle = (unsigned)number(optarg, 1, MAX_CONNS); break;
		case 'm': o.per_conn = number(optarg, 1, 1000000); break;
		case 'n': o.total = number(optarg, 1, 100000000); break;
		case 'p':
			n = split(optarg, list, MAX_PIDS);
			for (i = 0; i < n; i++)
				o.pids[o.npids++] = (pid_t)number(list[i], 1,
				    INT_MAX);
			break;
		case 'q': o.quiet = true; break;
		case 'v': o.verbose = true; break;
		case 'R': o.rcpt = optarg; break;
		case 's':
			o.nsocks = split(optarg, (char **)o.socks, MAX_CHAIN);
			break;
		case 't': o.timeout = (int)number(optarg, 1, 3600); break;
		case 'w': o.warmup = number(optarg, 0, 1000000); break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if (gen > 0)
		return msgfile_generate(stdout, gen, o.mail_from, o.rcpt) == 0 &&
		    fflush(stdout) == 0 ? 0 : 1;
	if (o.nsocks == 0 || (nfiles == 0 && o.idle == 0)) {
		usage();
		return 2;
	}
	/* a milter that hangs up must fail a session, not kill the client */
	signal(SIGPIPE, SIG_IGN);
	if (o.idle > 0)
		return run_idle();
	for (i = 0; i < nfiles; i++)
		if (msgfile_load(&o.msgs[o.nmsgs++], files[i]) == -1)
			return 1;
	rc = run_load();
	for (i = 0; i < o.nmsgs; i++)
		msgfile_free(&o.msgs[i]);
	return rc;
}
