/* SPDX-License-Identifier: ISC */
/*
 * arc_msg.h - what test_arc_verify.c and test_arc_seal.c share: a message
 * as a list of header field strings (top first, as delivered), sealing it
 * with arc_seal.c at a fixed time, and verifying it with arc_verify.c
 * with key answers from a table instead of DNS.
 */
#ifndef INKAN_TEST_ARC_MSG_H
#define INKAN_TEST_ARC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "arc_seal.h"
#include "arc_verify.h"
#include "hdr.h"

#define ARC_MSG_NOW		((time_t)1700000000)
#define ARC_MSG_MAX_FIELDS	400

struct arc_msg {
	char	*f[ARC_MSG_MAX_FIELDS];	/* "Name:value", top first */
	size_t	 n;
	char	*body;
};

/* A key name's answer: a record, or a lookup failure. */
struct arc_msg_key {
	const char	*name;		/* "s._domainkey.d" */
	enum dkim_key_lookup lookup;
	const char	*rec;
};

/* The test message (From, To, Subject, Date, Message-ID, X-Note). */
void	 arc_msg_init(struct arc_msg *);
void	 arc_msg_free(struct arc_msg *);
/* Put a field on top / at index i; remove field i. */
void	 arc_msg_push(struct arc_msg *, const char *raw);
void	 arc_msg_insert(struct arc_msg *, size_t i, const char *raw);
void	 arc_msg_remove(struct arc_msg *, size_t i);
/* Index of the first field that starts with prefix (case-sensitive), or -1. */
long	 arc_msg_find(const struct arc_msg *, const char *prefix);
/* Replace the first "from" in field i with "to"; false if absent. */
bool	 arc_msg_edit(struct arc_msg *, size_t i, const char *from,
	    const char *to);
void	 arc_msg_set_body(struct arc_msg *, const char *);
/* The header list of the message. */
void	 arc_msg_hdrs(const struct arc_msg *, struct hdr_list *);

/*
 * Seal with instance and cv (what the caller decided) and put the three
 * fields on top. sign (NULL for the default list) names the AMS fields.
 * 0, or -1 with the error printed.
 */
int	 arc_msg_seal(struct arc_msg *, unsigned instance, enum arc_cv cv,
	    const char *domain, const char *selector, EVP_PKEY *key,
	    const char *const *sign, size_t nsign);
/*
 * Verify with keys[0..nkeys) for answers (a name not in the table is
 * absent); the body is fed in chunks of chunk bytes. Returns the verifier
 * (the caller frees it) or NULL on internal failure.
 */
struct arc_verifier *arc_msg_verify(const struct arc_msg *, struct hdr_list *,
	    const struct arc_msg_key *keys, size_t nkeys, size_t chunk);
/* Verify, then seal as arc_verifier_may_seal says; 0, 1 (not sealed), -1. */
int	 arc_msg_forward(struct arc_msg *, const struct arc_msg_key *keys,
	    size_t nkeys, const char *domain, const char *selector,
	    EVP_PKEY *key, const char *const *sign, size_t nsign);
/* The "v=DKIM1; k=rsa; p=..." record of key (malloc'd). */
char	*arc_msg_record(EVP_PKEY *);

#endif
