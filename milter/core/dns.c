/* SPDX-License-Identifier: ISC */
/*
 * dns.c - the resolver interface the core asks through (SPF, DMARC
 * discovery) and every backend answers: query handles, deadlines, name
 * checks, results and the names of types and statuses. It is part of the
 * core: no I/O, no globals, no logging; the backends, which do the I/O
 * (milter/dns/: libunbound, zone files, the cache), build on it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "err.h"
#include "dns.h"

struct dns_resolver {
	const struct dns_backend	*be;
	/* owned; be->free releases it */
	void				*ctx;
};

struct dns_query {
	struct dns_resolver	*r;
	void			*bq;	/* the backend's handle */
};

static const struct {
	enum dns_type	 type;
	const char	*name;
} dns_types[] = {
	{ DNS_A, "A" },
	{ DNS_NS, "NS" },
	{ DNS_CNAME, "CNAME" },
	{ DNS_PTR, "PTR" },
	{ DNS_MX, "MX" },
	{ DNS_TXT, "TXT" },
	{ DNS_AAAA, "AAAA" },
	{ DNS_SPF, "SPF" },
};

void
dns_result_init(struct dns_result *r)
{
	r->status = DNS_ERROR;
	r->secure = false;
	r->usec = 0;
	r->rr = NULL;
	r->n = 0;
}

void
dns_result_free(struct dns_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->rr[i].data);
		free(r->rr[i].pieces);
		free(r->rr[i].name);
	}
	free(r->rr);
	dns_result_init(r);
}

const char *
dns_type_name(enum dns_type t)
{
	size_t i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
		if (dns_types[i].type == t)
			return dns_types[i].name;
	return "?";
}

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_OK:
		return "OK";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_NODATA:
		return "NODATA";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_TIMEOUT:
		return "TIMEOUT";
	case DNS_ERROR:
		return "ERROR";
	}
	return "?";
}

const char *
dns_failure_name(enum dns_status s)
{
	switch (s) {
	case DNS_TIMEOUT:
		return "timeout";
	case DNS_ERROR:
		return "error";
	default:
		return dns_status_name(s);
	}
}

int
dns_type_parse(const char *s, size_t len, enum dns_type *out)
{
	size_t i;

	for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++) {
		const char *n = dns_types[i].name;

		if (strlen(n) == len && strncasecmp(n, s, len) == 0) {
			*out = dns_types[i].type;
			return 0;
		}
	}
	return -1;
}

bool
dns_name_valid(const char *name, size_t len)
{
	size_t i, label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] != '.') {
			if (++label > DNS_LABEL_MAX)
				return false;
			continue;
		}
		if (label == 0)
			return false;	/* empty label: "..", ".x" */
		label = 0;
	}
	return true;
}

bool
dns_name_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 1 && a[alen - 1] == '.')
		alen--;
	if (blen > 1 && b[blen - 1] == '.')
		blen--;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

struct dns_resolver *
dns_resolver_new(const struct dns_backend *be, void *ctx, struct err *e)
{
	struct dns_resolver *r;

	if ((r = malloc(sizeof(*r))) == NULL) {
		be->free(ctx);
		err_set(e, "dns: out of memory");
		return NULL;
	}
	r->be = be;
	r->ctx = ctx;
	return r;
}

void
dns_resolver_free(struct dns_resolver *r)
{
	if (r == NULL)
		return;
	r->be->free(r->ctx);
	free(r);
}

struct dns_query *
dns_start(struct dns_resolver *r, const char *name, enum dns_type type,
    struct err *e)
{
	struct dns_query *q;

	if (!dns_name_valid(name, strlen(name))) {
		err_set(e, "dns: not a valid domain name: \"%.*s\"",
		    DNS_NAME_MAX, name);
		return NULL;
	}
	if (strcmp(dns_type_name(type), "?") == 0) {
		err_set(e, "dns: unknown query type %d", (int)type);
		return NULL;
	}
	if ((q = malloc(sizeof(*q))) == NULL) {
		err_set(e, "dns: out of memory");
		return NULL;
	}
	q->r = r;
	if ((q->bq = r->be->start(r->ctx, name, type, e)) == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

int
dns_wait(struct dns_resolver *r, struct dns_query *q,
    const struct timespec *deadline, struct dns_result *out, struct err *e)
{
	int rc;

	dns_result_init(out);
	if (q == NULL)
		return err_set(e, "dns: wait without a query");
	/* q->r, not r: the handle knows its resolver; r is for symmetry. */
	(void)r;
	rc = q->r->be->wait(q->r->ctx, q->bq, deadline, out, e);
	free(q);
	if (rc == -1)
		dns_result_free(out);
	return rc;
}

void
dns_cancel(struct dns_query *q)
{
	if (q == NULL)
		return;
	q->r->be->cancel(q->r->ctx, q->bq);
	free(q);
}

int
dns_lookup(struct dns_resolver *r, const char *name, enum dns_type type,
    unsigned int timeout_ms, struct dns_result *out, struct err *e)
{
	struct timespec deadline;
	struct dns_query *q;

	dns_result_init(out);
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) == -1)
		return err_set(e, "dns: clock_gettime failed");
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if ((q = dns_start(r, name, type, e)) == NULL)
		return -1;
	return dns_wait(r, q, &deadline, out, e);
}

uint64_t
dns_usec_since(const struct timespec *t0)
{
	struct timespec now;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (int64_t)(now.tv_sec - t0->tv_sec) * 1000000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}
