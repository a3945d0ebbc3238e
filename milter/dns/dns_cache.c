/* SPDX-License-Identifier: ISC */
/*
 * dns_cache.c - the answer cache of dns_cache.h.
 * A direct-mapped table: a (name, type) key hashes to one slot, and a new
 * answer replaces whatever that slot held, so the table never grows and
 * needs no eviction list. Names are compared without case and without a
 * trailing dot (RFC 4343). One lock guards the table; it is held only to
 * copy an answer in or out, never across a lookup.
 * Results are deep copies both ways: the caller owns what dns_wait gives,
 * the table owns what it keeps.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_cache.h"
#include "err.h"

struct slot {
	char		*key;		/* lower case, no trailing dot */
	enum dns_type	 type;
	time_t		 expires;	/* CLOCK_MONOTONIC seconds */
	struct dns_result res;
};

struct cache {
	struct dns_resolver *inner;
	pthread_mutex_t	 lock;
	struct slot	 slot[DNS_CACHE_SLOTS];
};

/* A query: answered from the table (inner == NULL), or passed on. */
struct cq {
	struct dns_query *inner;
	struct dns_result hit;
	char		*key;
	enum dns_type	 type;
};

static time_t
now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static char *
make_key(const char *name)
{
	size_t len = strlen(name), i;
	char *k;

	if (len > 1 && name[len - 1] == '.')
		len--;
	if ((k = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		k[i] = (char)tolower((unsigned char)name[i]);
	k[len] = '\0';
	return k;
}

/* FNV-1a over the key and the type. */
static size_t
slot_of(const char *key, enum dns_type type)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	h = (h ^ (uint32_t)type) * 16777619u;
	return h % DNS_CACHE_SLOTS;
}

/* *to = a deep copy of *from; 0, or -1 (no memory, *to empty). */
static int
result_copy(struct dns_result *to, const struct dns_result *from)
{
	size_t i, k;

	dns_result_init(to);
	to->status = from->status;
	to->secure = from->secure;
	if (from->n == 0)
		return 0;
	if ((to->rr = calloc(from->n, sizeof(*to->rr))) == NULL)
		return -1;
	for (i = 0; i < from->n; i++) {
		const struct dns_rr *f = &from->rr[i];
		struct dns_rr *t = &to->rr[i];

		to->n = i + 1;	/* so dns_result_free frees what is made */
		t->type = f->type;
		t->ttl = f->ttl;
		t->pref = f->pref;
		t->len = f->len;
		if (f->data != NULL) {
			if ((t->data = malloc(f->len + 1)) == NULL)
				goto nomem;
			memcpy(t->data, f->data, f->len + 1);
		}
		if (f->npieces > 0) {
			if ((t->pieces = calloc(f->npieces,
			    sizeof(*t->pieces))) == NULL)
				goto nomem;
			t->npieces = f->npieces;
			/* the pieces are views into data: point into the copy */
			for (k = 0; k < f->npieces; k++) {
				t->pieces[k].data = t->data +
				    (f->pieces[k].data - f->data);
				t->pieces[k].len = f->pieces[k].len;
			}
		}
		if (f->name != NULL && (t->name = strdup(f->name)) == NULL)
			goto nomem;
	}
	return 0;
nomem:
	dns_result_free(to);
	return -1;
}

/* How long an answer may be kept; 0 for not at all. */
static uint32_t
keep_secs(const struct dns_result *r)
{
	uint32_t ttl = DNS_CACHE_MAX_TTL;
	size_t i;

	if (r->status == DNS_NXDOMAIN || r->status == DNS_NODATA)
		return DNS_CACHE_NEG_TTL;
	if (r->status != DNS_OK || r->n == 0)
		return 0;
	for (i = 0; i < r->n; i++)
		if (r->rr[i].ttl < ttl)
			ttl = r->rr[i].ttl;
	return ttl;
}

static void *
cache_start(void *ctx, const char *name, enum dns_type type, struct err *e)
{
	struct cache *c = ctx;
	struct slot *s;
	struct cq *q;
	int rc = 1;	/* 1: not in the table */

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->key = make_key(name)) == NULL) {
		free(q);
		err_set(e, "dns cache: out of memory");
		return NULL;
	}
	q->type = type;
	dns_result_init(&q->hit);
	s = &c->slot[slot_of(q->key, type)];
	pthread_mutex_lock(&c->lock);
	if (s->key != NULL && s->type == type && strcmp(s->key, q->key) == 0 &&
	    now_secs() < s->expires)
		rc = result_copy(&q->hit, &s->res);
	pthread_mutex_unlock(&c->lock);
	if (rc == 0)
		return q;
	if (rc == -1 || (q->inner = dns_start(c->inner, name, type, e)) ==
	    NULL) {
		if (rc == -1)
			err_set(e, "dns cache: out of memory");
		free(q->key);
		free(q);
		return NULL;
	}
	return q;
}

/* Keep a copy of r for key; nothing is lost if memory runs out. */
static void
remember(struct cache *c, const char *key, enum dns_type type,
    const struct dns_result *r)
{
	uint32_t secs = keep_secs(r);
	struct dns_result copy;
	struct slot *s;
	char *k;

	if (secs == 0 || (k = strdup(key)) == NULL)
		return;
	if (result_copy(&copy, r) == -1) {
		free(k);
		return;
	}
	s = &c->slot[slot_of(key, type)];
	pthread_mutex_lock(&c->lock);
	/* what the slot held goes (freed below, outside the lock) */
	{
		struct dns_result old = s->res;
		char *oldk = s->key;

		s->key = k;
		s->type = type;
		s->expires = now_secs() + (time_t)secs;
		s->res = copy;
		pthread_mutex_unlock(&c->lock);
		free(oldk);
		dns_result_free(&old);
	}
}

static int
cache_wait(void *ctx, void *bq, const struct timespec *deadline,
    struct dns_result *out, struct err *e)
{
	struct cache *c = ctx;
	struct cq *q = bq;
	int rc = 0;

	if (q->inner == NULL) {
		*out = q->hit;		/* the copy moves to the caller */
		out->usec = 0;
	} else if ((rc = dns_wait(c->inner, q->inner, deadline, out, e)) == 0)
		remember(c, q->key, q->type, out);
	free(q->key);
	free(q);
	return rc;
}

static void
cache_cancel(void *ctx, void *bq)
{
	struct cq *q = bq;

	(void)ctx;
	if (q->inner != NULL)
		dns_cancel(q->inner);
	dns_result_free(&q->hit);
	free(q->key);
	free(q);
}

static void
cache_free(void *ctx)
{
	struct cache *c = ctx;
	size_t i;

	for (i = 0; i < DNS_CACHE_SLOTS; i++) {
		free(c->slot[i].key);
		dns_result_free(&c->slot[i].res);
	}
	dns_resolver_free(c->inner);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static const struct dns_backend cache_backend = {
	cache_start, cache_wait, cache_cancel, cache_free,
};

struct dns_resolver *
dns_cache_new(struct dns_resolver *inner, struct err *e)
{
	struct cache *c;
	size_t i;

	if (inner == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		dns_resolver_free(inner);
		err_set(e, "dns cache: out of memory");
		return NULL;
	}
	c->inner = inner;
	pthread_mutex_init(&c->lock, NULL);
	for (i = 0; i < DNS_CACHE_SLOTS; i++)
		dns_result_init(&c->slot[i].res);
	/* on failure dns_resolver_new frees c (and inner) itself */
	return dns_resolver_new(&cache_backend, c, e);
}
