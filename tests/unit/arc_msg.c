/* SPDX-License-Identifier: ISC */
/*
 * arc_msg.c - the message, sealing and verifying helpers of the ARC unit
 * tests (see arc_msg.h). Fixed time, keys from a table, no DNS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc_msg.h"
#include "buf.h"
#include "dkim_key.h"

static const char *const base_fields[] = {
	"From: Alice <alice@example.com>",
	"To: list@lists.example.org",
	"Subject: an ARC test\r\n message",
	"Date: Tue, 14 Nov 2023 22:13:20 +0000",
	"Message-ID: <arc-1@example.com>",
	"X-Note: kept by every hop",
};

static const char *const default_sign[] = {
	"From", "To", "Subject", "Date", "Message-ID",
};

void
arc_msg_init(struct arc_msg *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < sizeof(base_fields) / sizeof(base_fields[0]); i++)
		m->f[m->n++] = strdup(base_fields[i]);
	m->body = strdup("Hello  world \r\n\r\nSecond\tline\r\n");
}

void
arc_msg_free(struct arc_msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->f[i]);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

void
arc_msg_insert(struct arc_msg *m, size_t i, const char *raw)
{
	if (m->n == ARC_MSG_MAX_FIELDS || i > m->n)
		abort();	/* a broken test, not a result */
	memmove(&m->f[i + 1], &m->f[i], (m->n - i) * sizeof(m->f[0]));
	m->f[i] = strdup(raw);
	m->n++;
}

void
arc_msg_push(struct arc_msg *m, const char *raw)
{
	arc_msg_insert(m, 0, raw);
}

void
arc_msg_remove(struct arc_msg *m, size_t i)
{
	if (i >= m->n)
		abort();
	free(m->f[i]);
	memmove(&m->f[i], &m->f[i + 1], (m->n - i - 1) * sizeof(m->f[0]));
	m->n--;
}

long
arc_msg_find(const struct arc_msg *m, const char *prefix)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strncmp(m->f[i], prefix, strlen(prefix)) == 0)
			return (long)i;
	return -1;
}

bool
arc_msg_edit(struct arc_msg *m, size_t i, const char *from, const char *to)
{
	char *at, *n;
	size_t fl = strlen(from), tl = strlen(to), len;

	if (i >= m->n || (at = strstr(m->f[i], from)) == NULL)
		return false;
	len = strlen(m->f[i]) - fl + tl;
	if ((n = malloc(len + 1)) == NULL)
		abort();
	memcpy(n, m->f[i], (size_t)(at - m->f[i]));
	memcpy(n + (at - m->f[i]), to, tl);
	strcpy(n + (at - m->f[i]) + tl, at + fl);
	free(m->f[i]);
	m->f[i] = n;
	return true;
}

void
arc_msg_set_body(struct arc_msg *m, const char *b)
{
	free(m->body);
	m->body = strdup(b);
}

void
arc_msg_hdrs(const struct arc_msg *m, struct hdr_list *l)
{
	size_t i;

	hdr_list_init(l);
	for (i = 0; i < m->n; i++)
		if (hdr_list_add_raw(l, m->f[i], strlen(m->f[i])) != HDR_ADDED)
			abort();
}

int
arc_msg_seal(struct arc_msg *m, unsigned instance, enum arc_cv cv,
    const char *domain, const char *selector, EVP_PKEY *key,
    const char *const *sign, size_t nsign)
{
	struct arc_seal_params p;
	struct arc_sealer *s;
	struct hdr_list l;
	struct buf f = BUF_INIT;
	struct err e;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.instance = instance;
	p.cv = cv;
	p.ar_payload = " mx.lists.example.org;\r\n\tspf=pass "
	    "smtp.mailfrom=alice@example.com;\r\n\tdkim=pass "
	    "header.d=example.com";
	p.domain = domain;
	p.selector = selector;
	p.key = key;
	p.now = ARC_MSG_NOW;
	p.sign_headers = sign != NULL ? sign : default_sign;
	p.nsign_headers = sign != NULL ? nsign :
	    sizeof(default_sign) / sizeof(default_sign[0]);
	arc_msg_hdrs(m, &l);
	if ((s = arc_sealer_new(&p, &l, &e)) == NULL ||
	    arc_sealer_body(s, (const unsigned char *)m->body, strlen(m->body),
	    &e) == -1 || arc_sealer_finish(s, &e) == -1) {
		fprintf(stderr, "arc_msg_seal: %s\n", e.msg);
		goto out;
	}
	/* 5.1 step 3: AAR, then AMS, then AS, each on top */
	buf_printf(&f, "%s:%s", ARC_AAR_FIELD, arc_sealer_aar(s));
	arc_msg_push(m, buf_str(&f));
	buf_reset(&f);
	buf_printf(&f, "%s:%s", ARC_AMS_FIELD, arc_sealer_ams(s));
	arc_msg_push(m, buf_str(&f));
	buf_reset(&f);
	buf_printf(&f, "%s:%s", ARC_SEAL_FIELD, arc_sealer_seal(s));
	arc_msg_push(m, buf_str(&f));
	rc = buf_failed(&f) ? -1 : 0;
out:
	buf_free(&f);
	arc_sealer_free(s);
	hdr_list_free(&l);
	return rc;
}

struct arc_verifier *
arc_msg_verify(const struct arc_msg *m, struct hdr_list *l,
    const struct arc_msg_key *keys, size_t nkeys, size_t chunk)
{
	struct arc_verifier *vf;
	struct err e;
	size_t k, j, len = strlen(m->body), off;

	arc_msg_hdrs(m, l);
	if ((vf = arc_verifier_new(l, &e)) == NULL) {
		fprintf(stderr, "arc_verifier_new: %s\n", e.msg);
		return NULL;
	}
	for (k = 0; k < arc_verifier_key_count(vf); k++) {
		const char *name = arc_verifier_key_name(vf, k);

		for (j = 0; j < nkeys; j++)
			if (strcmp(keys[j].name, name) == 0)
				break;
		if (j == nkeys) {
			arc_verifier_set_key(vf, k, DKIM_KEY_ABSENT, NULL,
			    NULL, 0);
		} else if (keys[j].lookup != DKIM_KEY_FOUND) {
			arc_verifier_set_key(vf, k, keys[j].lookup, NULL, NULL,
			    0);
		} else {
			const char *txt[1] = { keys[j].rec };
			size_t tl[1] = { strlen(keys[j].rec) };

			arc_verifier_set_key(vf, k, DKIM_KEY_FOUND, txt, tl, 1);
		}
	}
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += chunk)
		if (arc_verifier_body(vf, (const unsigned char *)m->body + off,
		    len - off < chunk ? len - off : chunk, &e) == -1)
			goto fail;
	if (arc_verifier_finish(vf, ARC_MSG_NOW, &e) == -1)
		goto fail;
	return vf;
fail:
	fprintf(stderr, "arc verify: %s\n", e.msg);
	arc_verifier_free(vf);
	return NULL;
}

int
arc_msg_forward(struct arc_msg *m, const struct arc_msg_key *keys,
    size_t nkeys, const char *domain, const char *selector, EVP_PKEY *key,
    const char *const *sign, size_t nsign)
{
	struct arc_verifier *vf;
	struct hdr_list l;
	unsigned inst;
	enum arc_cv cv;
	bool may;

	if ((vf = arc_msg_verify(m, &l, keys, nkeys, 0)) == NULL) {
		hdr_list_free(&l);
		return -1;
	}
	may = arc_verifier_may_seal(vf, &inst, &cv);
	arc_verifier_free(vf);
	hdr_list_free(&l);
	if (!may)
		return 1;
	return arc_msg_seal(m, inst, cv, domain, selector, key, sign, nsign);
}

char *
arc_msg_record(EVP_PKEY *k)
{
	struct buf b = BUF_INIT;
	struct err e;

	if (dkim_key_record(k, &b, &e) == -1 || buf_failed(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_release(&b);
}
