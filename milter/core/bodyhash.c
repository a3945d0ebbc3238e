/* SPDX-License-Identifier: ISC */
/*
 * bodyhash.c - canonicalize and hash a streaming body (see bodyhash.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bodyhash.h"

struct bodyhash {
	enum canon_alg	 alg;
	const EVP_MD	*md;
	uint64_t	 limit;		/* l=, or BODYHASH_NO_LIMIT */
	uint64_t	 total;		/* canonical bytes produced */
	EVP_MD_CTX	*ctx;
	struct canon_body *canon;
	bool		 finished;
	unsigned char	 digest[EVP_MAX_MD_SIZE];
	unsigned int	 dlen;
};

static int
bodyhash_emit(void *arg, const unsigned char *p, size_t n)
{
	struct bodyhash *bh = arg;
	uint64_t room = bh->limit > bh->total ? bh->limit - bh->total : 0;
	size_t take = room < n ? (size_t)room : n;

	bh->total += n;
	if (take > 0 && EVP_DigestUpdate(bh->ctx, p, take) != 1)
		return -1;
	return 0;
}

struct bodyhash *
bodyhash_new(enum canon_alg alg, const EVP_MD *md, uint64_t limit,
    struct err *e)
{
	struct bodyhash *bh;

	if ((bh = calloc(1, sizeof(*bh))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	bh->alg = alg;
	bh->md = md;
	bh->limit = limit;
	if ((bh->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(bh->ctx, md, NULL) != 1) {
		err_ssl(e, "body hash init");
		bodyhash_free(bh);
		return NULL;
	}
	if ((bh->canon = canon_body_new(alg, bodyhash_emit, bh)) == NULL) {
		err_set(e, "out of memory");
		bodyhash_free(bh);
		return NULL;
	}
	return bh;
}

bool
bodyhash_matches(const struct bodyhash *bh, enum canon_alg alg,
    const EVP_MD *md, uint64_t limit)
{
	return bh->alg == alg && EVP_MD_get_type(bh->md) == EVP_MD_get_type(md) &&
	    bh->limit == limit;
}

int
bodyhash_update(struct bodyhash *bh, const unsigned char *p, size_t n,
    struct err *e)
{
	if (bh->finished)
		return err_set(e, "body data after the end of the body");
	if (canon_body_update(bh->canon, p, n) == -1)
		return err_ssl(e, "body hash update");
	return 0;
}

int
bodyhash_final(struct bodyhash *bh, unsigned char *digest, size_t *dlen,
    struct err *e)
{
	if (!bh->finished) {
		if (canon_body_final(bh->canon) == -1)
			return err_ssl(e, "body hash update");
		if (EVP_DigestFinal_ex(bh->ctx, bh->digest, &bh->dlen) != 1)
			return err_ssl(e, "body hash final");
		bh->finished = true;
	}
	memcpy(digest, bh->digest, bh->dlen);
	*dlen = bh->dlen;
	return 0;
}

uint64_t
bodyhash_total(const struct bodyhash *bh)
{
	return bh->total;
}

void
bodyhash_free(struct bodyhash *bh)
{
	if (bh == NULL)
		return;
	canon_body_free(bh->canon);
	EVP_MD_CTX_free(bh->ctx);
	free(bh);
}
