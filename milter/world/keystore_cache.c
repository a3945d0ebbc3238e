/* SPDX-License-Identifier: ISC */
/*
 * keystore_cache.c - the cache of decoded signing keys shared by every key
 * store (see keystore.h): a hash table on the key file's identity and a
 * least-recently-used list, bounded by keystore_cache_limit.
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "keystore.h"
#include "keystore_int.h"

/*
 * The cache of decoded keys: a hash table on the file identity, and a
 * list from the most to the least recently used entry.
 */
#define KC_BUCKETS	8192	/* a power of two, 2 per cached key */

struct kc_entry {
	struct ks_file	 id;
	uint64_t	 hash;
	EVP_PKEY	*key;		/* the cache's reference */
	struct kc_entry	*chain;		/* same bucket */
	struct kc_entry	*newer, *older;
};

static pthread_mutex_t kc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kc_entry *kc_table[KC_BUCKETS];
static struct kc_entry *kc_newest, *kc_oldest;
static size_t kc_n, kc_max = KEYSTORE_CACHE_KEYS;
static size_t kc_decoded;	/* keys decoded, for keystore_cache_stats */
static size_t kc_stores;	/* stores alive; the last one empties it */

bool
ks_same_file(const struct ks_file *a, const struct ks_file *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec &&
	    a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

void
ks_file_id(const struct stat *st, struct ks_file *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

static uint64_t
file_hash(const struct ks_file *id)
{
	uint64_t v[5] = { (uint64_t)id->dev, (uint64_t)id->ino,
	    (uint64_t)id->size, (uint64_t)id->mtime.tv_sec * 1000000000u +
	    (uint64_t)id->mtime.tv_nsec, (uint64_t)id->ctime.tv_sec *
	    1000000000u + (uint64_t)id->ctime.tv_nsec };
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	/* FNV-1a over the words, then a final mix for the low bits */
	for (i = 0; i < 5; i++)
		h = (h ^ v[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* With kc_lock held. */
static void
kc_unlink_lru(struct kc_entry *c)
{
	if (c->newer != NULL)
		c->newer->older = c->older;
	else
		kc_newest = c->older;
	if (c->older != NULL)
		c->older->newer = c->newer;
	else
		kc_oldest = c->newer;
	c->newer = c->older = NULL;
}

static void
kc_push_newest(struct kc_entry *c)
{
	c->older = kc_newest;
	c->newer = NULL;
	if (kc_newest != NULL)
		kc_newest->newer = c;
	kc_newest = c;
	if (kc_oldest == NULL)
		kc_oldest = c;
}

static struct kc_entry *
kc_find(const struct ks_file *id, uint64_t h)
{
	struct kc_entry *c;

	for (c = kc_table[h & (KC_BUCKETS - 1)]; c != NULL; c = c->chain)
		if (c->hash == h && ks_same_file(&c->id, id))
			return c;
	return NULL;
}

static void
kc_remove(struct kc_entry *c)
{
	struct kc_entry **pp = &kc_table[c->hash & (KC_BUCKETS - 1)];

	while (*pp != c)
		pp = &(*pp)->chain;
	*pp = c->chain;
	kc_unlink_lru(c);
	EVP_PKEY_free(c->key);
	free(c);
	kc_n--;
}

/* Drop the oldest entries beyond the bound. With kc_lock held. */
static void
kc_trim(void)
{
	while (kc_n > kc_max && kc_oldest != NULL)
		kc_remove(kc_oldest);
}

/* A new reference to the key decoded from id, or NULL. */
EVP_PKEY *
kc_get(const struct ks_file *id)
{
	uint64_t h = file_hash(id);
	struct kc_entry *c;
	EVP_PKEY *k = NULL;

	pthread_mutex_lock(&kc_lock);
	if ((c = kc_find(id, h)) != NULL && EVP_PKEY_up_ref(c->key) == 1) {
		k = c->key;
		kc_unlink_lru(c);
		kc_push_newest(c);
	}
	pthread_mutex_unlock(&kc_lock);
	return k;
}

/*
 * Keep k (the cache takes a reference of its own) as the key of id, and
 * return the key to use: k, or the one another thread stored meanwhile
 * (then k is freed). Either way the caller holds one reference to the
 * result. Out of memory only means the key is not kept.
 */
EVP_PKEY *
kc_put(const struct ks_file *id, EVP_PKEY *k)
{
	uint64_t h = file_hash(id);
	struct kc_entry *c, *nc;

	nc = calloc(1, sizeof(*nc));
	pthread_mutex_lock(&kc_lock);
	if ((c = kc_find(id, h)) != NULL && EVP_PKEY_up_ref(c->key) == 1) {
		EVP_PKEY *theirs = c->key;	/* c may go once unlocked */

		kc_unlink_lru(c);
		kc_push_newest(c);
		pthread_mutex_unlock(&kc_lock);
		free(nc);
		EVP_PKEY_free(k);
		return theirs;
	}
	if (nc == NULL || EVP_PKEY_up_ref(k) != 1) {
		pthread_mutex_unlock(&kc_lock);
		free(nc);
		return k;
	}
	nc->id = *id;
	nc->hash = h;
	nc->key = k;
	nc->chain = kc_table[h & (KC_BUCKETS - 1)];
	kc_table[h & (KC_BUCKETS - 1)] = nc;
	kc_push_newest(nc);
	kc_n++;
	kc_trim();
	pthread_mutex_unlock(&kc_lock);
	return k;
}

static void
kc_clear(void)
{
	while (kc_oldest != NULL)
		kc_remove(kc_oldest);
}

void
keystore_cache_stats(size_t *decoded, size_t *kept)
{
	pthread_mutex_lock(&kc_lock);
	*decoded = kc_decoded;
	*kept = kc_n;
	pthread_mutex_unlock(&kc_lock);
}

void
keystore_cache_limit(size_t max)
{
	pthread_mutex_lock(&kc_lock);
	kc_max = max > 0 ? max : KEYSTORE_CACHE_KEYS;
	kc_trim();
	pthread_mutex_unlock(&kc_lock);
}

void
kc_store_opened(void)
{
	pthread_mutex_lock(&kc_lock);
	kc_stores++;
	pthread_mutex_unlock(&kc_lock);
}

void
kc_store_closed(void)
{
	pthread_mutex_lock(&kc_lock);
	if (--kc_stores == 0)
		kc_clear();
	pthread_mutex_unlock(&kc_lock);
}

void
kc_count_decode(void)
{
	pthread_mutex_lock(&kc_lock);
	kc_decoded++;
	pthread_mutex_unlock(&kc_lock);
}
