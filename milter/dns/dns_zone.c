/* SPDX-License-Identifier: ISC */
/*
 * dns_zone.c - the --dns-zone backend: every answer comes from a master
 * file (RFC 1035 section 5) as admins write them, nothing from the
 * network. Used by --evaluate, inkan-keys check and the tests.
 *
 * This file answers; reading is dns_zone_lex.c (the lexer: RFC 1035 5.1
 * comments, parentheses, quoting and escapes, with explicit bounds) and
 * dns_zone_read.c (the records: $ORIGIN, $TTL, inkan's test lines "name
 * TIMEOUT" and "name SERVFAIL", and ldns for names and rdata).
 * The records are a sorted array keyed by the owner in wire form,
 * lowercased; lookups are binary searches and answers are deep copies, so
 * the loaded zone is immutable and safe to share between threads. A
 * CNAME is followed within the zone (at most DNS_ZONE_MAX_CNAME hops).
 * Answers are immediate: a TIMEOUT line yields DNS_TIMEOUT at once,
 * without waiting.
 * Not here: $INCLUDE and $GENERATE, wildcards, classes other than IN.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "dns.h"
#include "dns_zone_int.h"

/* The first record owned by name (wire form, lowercase), or NULL. */
static const struct zone_rec *
zone_find(const struct zone *z, const uint8_t *name, size_t len,
    const struct zone_rec **end)
{
	size_t lo = 0, hi = z->n, mid, i;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (dns_zone_read_wire_cmp(z->rec[mid].owner,
		    z->rec[mid].owner_len, name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == z->n || dns_zone_read_wire_cmp(z->rec[lo].owner,
	    z->rec[lo].owner_len, name, len) != 0)
		return NULL;
	for (i = lo; i < z->n && dns_zone_read_wire_cmp(z->rec[i].owner,
	    z->rec[i].owner_len, name, len) == 0; i++)
		;
	*end = &z->rec[i];
	return &z->rec[lo];
}

/* Deep copy of a zone record into an answer; 0 or -1 (no memory). */
static int
zone_rr_copy(struct dns_rr *dst, const struct dns_rr *src)
{
	size_t i, off;

	memset(dst, 0, sizeof(*dst));
	dst->type = src->type;
	dst->ttl = src->ttl;
	dst->pref = src->pref;
	dst->len = src->len;
	if (src->data != NULL) {
		if ((dst->data = malloc(src->len + 1)) == NULL)
			return -1;
		memcpy(dst->data, src->data, src->len);
		dst->data[src->len] = '\0';
	}
	if (src->npieces > 0) {
		dst->pieces = calloc(src->npieces, sizeof(*dst->pieces));
		if (dst->pieces == NULL)
			return -1;
		for (i = 0, off = 0; i < src->npieces; i++) {
			dst->pieces[i].data = dst->data + off;
			dst->pieces[i].len = src->pieces[i].len;
			off += src->pieces[i].len;
		}
		dst->npieces = src->npieces;
	}
	if (src->name != NULL && (dst->name = strdup(src->name)) == NULL)
		return -1;
	return 0;
}

/* The records of type in first..end into res; 0 or -1 (no memory). */
static int
zone_copy_answer(const struct zone_rec *first, const struct zone_rec *end,
    enum dns_type type, size_t n, struct dns_result *res)
{
	const struct zone_rec *r;

	for (r = first; r < end; r++) {
		/* as from the network: a name inkan cannot use fails it */
		if (r->type == (int)type && r->unusable) {
			res->status = DNS_SERVFAIL;
			return 0;
		}
	}
	if ((res->rr = calloc(n, sizeof(*res->rr))) == NULL)
		return -1;
	for (r = first; r < end; r++) {
		if (r->type != (int)type)
			continue;
		/* res->n counts copies: free sees them all */
		if (zone_rr_copy(&res->rr[res->n++], &r->rr) == -1)
			return -1;
	}
	res->status = DNS_OK;
	return 0;
}

/*
 * Answer qname/type into res, following CNAMEs (RFC 1034 3.6.2). Returns
 * 0, -1 when out of memory, -2 when qname is not a name (ldns's reading).
 */
static int
zone_answer(const struct zone *z, const char *qname, enum dns_type type,
    struct dns_result *res)
{
	const struct zone_rec *first, *end, *r, *cname;
	uint8_t name[LDNS_MAX_DOMAINLEN + 1];
	ldns_rdf *d = NULL;
	size_t hops, len, n;

	if (ldns_str2rdf_dname(&d, qname) != LDNS_STATUS_OK)
		return -2;
	ldns_dname2canonical(d);
	len = ldns_rdf_size(d);
	/* ldns caps names at LDNS_MAX_DOMAINLEN */
	memcpy(name, ldns_rdf_data(d), len);
	ldns_rdf_deep_free(d);
	for (hops = 0; hops <= DNS_ZONE_MAX_CNAME; hops++) {
		if ((first = zone_find(z, name, len, &end)) == NULL) {
			res->status = DNS_NXDOMAIN;
			return 0;
		}
		cname = NULL;
		n = 0;
		for (r = first; r < end; r++) {
			if (r->type == ZONE_TIMEOUT ||
			    r->type == ZONE_SERVFAIL) {
				res->status = r->type == ZONE_TIMEOUT ?
				    DNS_TIMEOUT : DNS_SERVFAIL;
				return 0;
			}
			if (r->type == (int)type)
				n++;
			else if (r->type == DNS_CNAME && cname == NULL)
				cname = r;
		}
		if (n > 0)
			return zone_copy_answer(first, end, type, n, res);
		if (cname == NULL) {
			res->status = DNS_NODATA;
			return 0;
		}
		/* the target is a name ldns read: it fits */
		len = cname->target_len;
		memcpy(name, cname->target, len);
	}
	/* a loop or a chain longer than a resolver would follow */
	res->status = DNS_SERVFAIL;
	return 0;
}

static void *
zone_start(void *ctx, const char *name, enum dns_type type, struct err *e)
{
	struct zone_query *q;
	int rc;

	if ((q = malloc(sizeof(*q))) == NULL) {
		err_set(e, "dns zone: out of memory");
		return NULL;
	}
	dns_result_init(&q->res);
	if ((rc = zone_answer(ctx, name, type, &q->res)) != 0) {
		dns_result_free(&q->res);
		free(q);
		if (rc == -2)
			err_set(e, "dns zone: bad name \"%.64s\"", name);
		else
			err_set(e, "dns zone: out of memory");
		return NULL;
	}
	return q;
}

static int
zone_wait(void *ctx, void *bq, const struct timespec *deadline,
    struct dns_result *out, struct err *e)
{
	struct zone_query *q = bq;

	(void)ctx;
	(void)deadline;	/* answered at start */
	(void)e;
	*out = q->res;	/* the records move to the caller */
	free(q);
	return 0;
}

static void
zone_cancel(void *ctx, void *bq)
{
	struct zone_query *q = bq;

	(void)ctx;
	dns_result_free(&q->res);
	free(q);
}


static void
zone_free(void *ctx)
{
	dns_zone_read_free(ctx);
}

static const struct dns_backend zone_backend = {
	zone_start, zone_wait, zone_cancel, zone_free,
};

/* Parse data into a resolver; src names the input in error messages. */
static struct dns_resolver *
zone_load(const char *src, const char *data, size_t len, struct err *e)
{
	struct zone *z;

	if ((z = dns_zone_read(src, data, len, e)) == NULL)
		return NULL;
	return dns_resolver_new(&zone_backend, z, e);	/* frees z on failure */
}

struct dns_resolver *
dns_zone_from_memory(const char *data, size_t len, struct err *e)
{
	return zone_load("(memory)", data, len, e);
}

struct dns_resolver *
dns_zone_open(const char *path, struct err *e)
{
	struct dns_resolver *r;
	struct stat st;
	char *data;
	size_t len = 0;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		err_set(e, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ZONE_MAX_FILE) {
		err_set(e, "%s: %s", path, !S_ISREG(st.st_mode) ?
		    "not a regular file" : "file too large");
		close(fd);
		return NULL;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		err_set(e, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	/* read what fstat saw; a file growing meanwhile is cut there */
	while (len < (size_t)st.st_size) {
		got = read(fd, data + len, (size_t)st.st_size - len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			err_set(e, "%s: %s", path, strerror(errno));
			free(data);
			close(fd);
			return NULL;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	r = zone_load(path, data, len, e);
	free(data);
	return r;
}
