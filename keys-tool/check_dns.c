/* SPDX-License-Identifier: ISC */
/*
 * check_dns.c - the resolver side of `inkan-keys check`: which resolver is
 * asked (--resolver, dns_forwarders of --config, or /etc/resolv.conf), a
 * line on stderr while a lookup takes more than a second, and the two
 * questions asked before any record is checked:
 *   - does the resolver answer at all? The NS records of the domain's
 *     top-level domain are known to every working resolver (they come from
 *     the root zone, which resolvers keep cached), so no answer to them
 *     means the resolver is at fault, not the domain's DNS servers, and
 *     nothing else is asked: each lookup would only time out again.
 *   - does the domain exist? An NXDOMAIN for the domain itself says more
 *     than "no record at ..." for each record under it.
 * Owner: the watching resolver owns the resolver it wraps; keys_check()
 * owns the watching resolver.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "err.h"

/* A lookup that takes longer than this gets a line on stderr. */
#define WATCH_PROGRESS_MS	1000
/*
 * The longest wait for the top-level domain's NS records: a resolver that
 * works answers them from its cache, or after one query to the root.
 */
#define CHECK_PROBE_MS		3000
/* resolv.conf lines longer than this are not nameserver lines we read. */
#define RESOLV_LINE_MAX		1024

struct check_watch {
	struct dns_resolver	*inner;		/* owned */
	char			 who[CHECK_WHO_MAX];
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;		/* on CLOCK_MONOTONIC */
	pthread_t		 thread;
	bool			 started, quit;
	/* the lookup being waited for, if waiting */
	bool			 waiting, shown;
	struct timespec		 due;
	char			 what[DNS_NAME_MAX + 16];
	unsigned		 ntemp;		/* timeouts and SERVFAILs */
};

/* One query: the inner one and what it asks, for the progress line. */
struct watch_q {
	struct dns_query	*q;
	char			 what[DNS_NAME_MAX + 16];
};

static void
ts_add_ms(struct timespec *ts, unsigned ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Print the progress line once a wait has lasted past its due time. */
static void *
watch_loop(void *arg)
{
	struct check_watch *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->quit) {
		if (!w->waiting || w->shown) {
			pthread_cond_wait(&w->cond, &w->lock);
			continue;
		}
		if (pthread_cond_timedwait(&w->cond, &w->lock, &w->due) ==
		    ETIMEDOUT && w->waiting && !w->shown) {
			fprintf(stderr, "inkan-keys check: waiting for %s to "
			    "answer %s ...\n", w->who, w->what);
			w->shown = true;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void *
watch_start(void *ctx, const char *name, enum dns_type type, struct err *e)
{
	struct check_watch *w = ctx;
	struct watch_q *wq;

	if ((wq = calloc(1, sizeof(*wq))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	snprintf(wq->what, sizeof(wq->what), "%s %s", name,
	    dns_type_name(type));
	if ((wq->q = dns_start(w->inner, name, type, e)) == NULL) {
		free(wq);
		return NULL;
	}
	return wq;
}

static int
watch_wait(void *ctx, void *q, const struct timespec *deadline,
    struct dns_result *out, struct err *e)
{
	struct check_watch *w = ctx;
	struct watch_q *wq = q;
	int rc;

	pthread_mutex_lock(&w->lock);
	if (!w->started && pthread_create(&w->thread, NULL, watch_loop, w) ==
	    0)
		w->started = true;
	memcpy(w->what, wq->what, sizeof(w->what));
	clock_gettime(CLOCK_MONOTONIC, &w->due);
	ts_add_ms(&w->due, WATCH_PROGRESS_MS);
	w->waiting = true;
	w->shown = false;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);

	rc = dns_wait(w->inner, wq->q, deadline, out, e);
	free(wq);

	pthread_mutex_lock(&w->lock);
	w->waiting = false;
	if (rc == 0 && (out->status == DNS_TIMEOUT ||
	    out->status == DNS_SERVFAIL))
		w->ntemp++;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static void
watch_cancel(void *ctx, void *q)
{
	struct watch_q *wq = q;

	(void)ctx;
	dns_cancel(wq->q);
	free(wq);
}

static void
watch_free(void *ctx)
{
	struct check_watch *w = ctx;

	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->quit = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	dns_resolver_free(w->inner);
	free(w);
}

static const struct dns_backend watch_backend = {
	watch_start, watch_wait, watch_cancel, watch_free,
};

struct dns_resolver *
check_watch_new(struct dns_resolver *inner, const char *who,
    struct check_watch **out, struct err *e)
{
	struct check_watch *w;
	pthread_condattr_t ca;

	if (inner == NULL)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		dns_resolver_free(inner);
		err_set(e, "out of memory");
		return NULL;
	}
	w->inner = inner;
	snprintf(w->who, sizeof(w->who), "%s", who);
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&w->cond, &ca) != 0 ||
	    pthread_mutex_init(&w->lock, NULL) != 0) {
		/* nothing here fails on Linux but for want of memory */
		dns_resolver_free(inner);
		free(w);
		err_set(e, "cannot set up the progress display");
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	*out = w;
	return dns_resolver_new(&watch_backend, w, e);
}

unsigned
check_watch_tempfails(struct check_watch *w)
{
	unsigned n;

	pthread_mutex_lock(&w->lock);
	n = w->ntemp;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int
check_resolv_conf(const char *path, char *out, size_t len)
{
	char line[RESOLV_LINE_MAX], *p, *a;
	size_t n = 0;
	FILE *f;

	out[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	/* as libunbound reads it (ub_ctx_resolvconf): "nameserver ADDR" */
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "nameserver", 10) != 0 ||
		    (p[10] != ' ' && p[10] != '\t'))
			continue;
		p += 10;
		while (*p == ' ' || *p == '\t')
			p++;
		a = p;
		while (strchr("0123456789abcdefABCDEF.:", *p) != NULL &&
		    *p != '\0')
			p++;
		*p = '\0';
		if (*a == '\0')
			continue;
		if (n++ > 0)
			strlcat(out, ", ", len);
		strlcat(out, a, len);
	}
	fclose(f);
	return (int)n;
}

/* dig's way to ask the first resolver of c: "@127.0.0.1 -p 5353". */
static void
dig_server(const struct check *c, char *out, size_t len)
{
	const char *at;

	out[0] = '\0';
	if (c->first_addr == NULL)
		return;
	if ((at = strrchr(c->first_addr, '@')) == NULL)
		snprintf(out, len, " @%s", c->first_addr);
	else
		snprintf(out, len, " @%.*s -p %s",
		    (int)(at - c->first_addr), c->first_addr, at + 1);
}

int
check_probe(struct check *c)
{
	struct dns_result r;
	struct err e;
	const char *tld = strrchr(c->domain, '.') + 1;
	unsigned ms = c->timeout_ms < CHECK_PROBE_MS ? c->timeout_ms :
	    CHECK_PROBE_MS;
	char dig[128];
	int rc = -1;

	dig_server(c, dig, sizeof(dig));
	if (dns_lookup(c->res, tld, DNS_NS, ms, &r, &e) == -1) {
		check_say(c, CHECK_FAIL, "DNS: cannot ask %s: %s", c->who,
		    e.msg);
		return -1;
	}
	switch (r.status) {
	case DNS_OK:
	case DNS_NODATA:
		rc = 0;
		break;
	case DNS_NXDOMAIN:
		c->tld_nxdomain = true;
		rc = 0;
		break;
	case DNS_TIMEOUT:
		check_say(c, CHECK_FAIL, "DNS: the resolver does not answer: "
		    "%s gave no answer within %.1f s even for the top-level "
		    "domain %s, so nothing about %s can be checked. Is it "
		    "running, and reachable from here (`dig%s %s. NS` asks it "
		    "the same)? Or ask another resolver: --resolver ADDR",
		    c->who, ms / 1000.0, tld, c->domain, dig, tld);
		break;
	case DNS_SERVFAIL:
	case DNS_ERROR:
		check_say(c, CHECK_FAIL, "DNS: the resolver gives no usable "
		    "answer: %s failed (SERVFAIL) even for the top-level "
		    "domain %s, so nothing about %s can be checked. It cannot "
		    "reach "
		    "other DNS servers, or DNSSEC validation fails there "
		    "(`dig%s %s. NS` asks it the same). Or ask another "
		    "resolver: --resolver ADDR", c->who, tld, c->domain, dig,
		    tld);
		break;
	}
	dns_result_free(&r);
	return rc;
}

int
check_exists(struct check *c)
{
	struct dns_result r;
	const char *tld = strrchr(c->domain, '.') + 1;
	bool nx;

	dns_result_init(&r);
	if (check_lookup(c, c->domain, DNS_TXT, &r) == -1)
		return 0;	/* said; the record checks say the rest */
	nx = r.status == DNS_NXDOMAIN;
	dns_result_free(&c->domain_txt);
	c->domain_txt = r;	/* the records move to c */
	c->have_domain_txt = true;
	if (!nx)
		return 0;
	if (c->tld_nxdomain)
		check_say(c, CHECK_FAIL, "DNS: %s does not exist: %s says that "
		    "not even the top-level domain %s exists (NXDOMAIN). If %s "
		    "is a real top-level domain, this resolver answers "
		    "NXDOMAIN for names it should know (a broken or filtering "
		    "resolver): ask another one with --resolver ADDR",
		    c->domain, c->who, tld, tld);
	else
		check_say(c, CHECK_FAIL, "DNS: %s does not exist (NXDOMAIN "
		    "from %s): there are no records under it at all, so no "
		    "DKIM, SPF, DMARC or MX record can be found, and receivers "
		    "refuse or distrust mail from it. Check the spelling; if "
		    "it is right, the domain is not registered, not delegated "
		    "to its DNS servers, or (a subdomain) missing from its "
		    "parent's zone", c->domain, c->who);
	return -1;
}

int
check_domain_txt(struct check *c, struct dns_result *out)
{
	if (!c->have_domain_txt)
		return check_lookup(c, c->domain, DNS_TXT, out);
	*out = c->domain_txt;	/* the records move to the caller */
	dns_result_init(&c->domain_txt);
	c->have_domain_txt = false;
	return 0;
}
