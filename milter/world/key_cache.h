/* SPDX-License-Identifier: ISC */
/*
 * key_cache.h - the daemon's store of decoded DKIM public keys, shared by
 * all transactions (dkim_keyrec.h says why). Keyed by the key's exact DER
 * bytes and type, so a domain that publishes a new key simply misses; no
 * TTL is needed. Bounded: the oldest entry gives way.
 */
#ifndef INKAN_KEY_CACHE_H
#define INKAN_KEY_CACHE_H

#include "dkim_keyrec.h"

#define KEY_CACHE_SLOTS	256

/* The process-wide cache, for dkim_verifier_set_key_cache(). */
const struct dkim_key_cache *key_cache(void);
/* Drop every entry (at exit, so leak checkers see nothing kept). */
void	 key_cache_clear(void);

#endif
