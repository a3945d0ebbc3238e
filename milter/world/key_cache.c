/* SPDX-License-Identifier: ISC */
/*
 * key_cache.c - decoded DKIM public keys, kept between messages (see
 * key_cache.h). One mutex guards the table: a lookup is a hash and at
 * most one memcmp of a few hundred bytes, far below the decoding it
 * saves. OpenSSL 3 keys are reference counted and may be used by several
 * threads at once for verification, which only reads them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "key_cache.h"

struct slot {
	EVP_PKEY		*key;		/* NULL: empty */
	enum dkim_key_type	 type;
	uint64_t		 hash;
	size_t			 len;
	unsigned char		*der;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[KEY_CACHE_SLOTS];
static size_t next_victim;

/* FNV-1a over the type and the bytes. */
static uint64_t
hash_of(enum dkim_key_type type, const void *der, size_t len)
{
	const unsigned char *p = der;
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)type;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static struct slot *
find(enum dkim_key_type type, uint64_t h, const void *der, size_t len)
{
	size_t i;

	for (i = 0; i < KEY_CACHE_SLOTS; i++) {
		struct slot *s = &slots[i];

		if (s->key != NULL && s->hash == h && s->type == type &&
		    s->len == len && memcmp(s->der, der, len) == 0)
			return s;
	}
	return NULL;
}

static EVP_PKEY *
cache_lookup(void *arg, enum dkim_key_type type, const void *der, size_t len)
{
	uint64_t h = hash_of(type, der, len);
	struct slot *s;
	EVP_PKEY *k = NULL;

	(void)arg;
	pthread_mutex_lock(&lock);
	if ((s = find(type, h, der, len)) != NULL &&
	    EVP_PKEY_up_ref(s->key) == 1)
		k = s->key;
	pthread_mutex_unlock(&lock);
	return k;
}

static void
cache_store(void *arg, enum dkim_key_type type, const void *der, size_t len,
    EVP_PKEY *key)
{
	uint64_t h = hash_of(type, der, len);
	unsigned char *copy;
	struct slot *s;

	(void)arg;
	if ((copy = malloc(len)) == NULL)
		return;		/* not kept: only slower */
	memcpy(copy, der, len);
	pthread_mutex_lock(&lock);
	/* another thread may have stored the same key meanwhile */
	if (find(type, h, der, len) != NULL || EVP_PKEY_up_ref(key) != 1) {
		pthread_mutex_unlock(&lock);
		free(copy);
		return;
	}
	s = &slots[next_victim];
	next_victim = (next_victim + 1) % KEY_CACHE_SLOTS;
	EVP_PKEY_free(s->key);
	free(s->der);
	s->key = key;
	s->type = type;
	s->hash = h;
	s->len = len;
	s->der = copy;
	pthread_mutex_unlock(&lock);
}

static const struct dkim_key_cache the_cache = {
	cache_lookup, cache_store, NULL
};

const struct dkim_key_cache *
key_cache(void)
{
	return &the_cache;
}

void
key_cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < KEY_CACHE_SLOTS; i++) {
		EVP_PKEY_free(slots[i].key);
		free(slots[i].der);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
	next_victim = 0;
	pthread_mutex_unlock(&lock);
}
