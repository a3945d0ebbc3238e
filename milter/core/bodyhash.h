/* SPDX-License-Identifier: ISC */
/*
 * bodyhash.h - the DKIM body hash (RFC 6376 section 3.7, "bh="): the body
 * canonicalized as it streams and fed into SHA-256, optionally cut at l=
 * bytes. One bodyhash serves every signature that shares its
 * canonicalization, hash and length, so the body is walked once per kind.
 */
#ifndef INKAN_BODYHASH_H
#define INKAN_BODYHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "canon.h"
#include "err.h"

#define BODYHASH_NO_LIMIT	UINT64_MAX

struct bodyhash;	/* opaque; defined in bodyhash.c */

/* md: EVP_sha256() (or EVP_sha1() for the verifier's reporting only). */
struct bodyhash *bodyhash_new(enum canon_alg, const EVP_MD *md, uint64_t limit,
	    struct err *e);
/* Does this bodyhash fit a signature with these parameters? */
bool	 bodyhash_matches(const struct bodyhash *, enum canon_alg,
	    const EVP_MD *md, uint64_t limit);
int	 bodyhash_update(struct bodyhash *, const unsigned char *, size_t,
	    struct err *e);
/* Finish; digest gets EVP_MAX_MD_SIZE bytes at most, *dlen its length. */
int	 bodyhash_final(struct bodyhash *, unsigned char *digest, size_t *dlen,
	    struct err *e);
/* Canonical bytes seen (before any l= cut), for reports. */
uint64_t bodyhash_total(const struct bodyhash *);
void	 bodyhash_free(struct bodyhash *);

#endif
