/* SPDX-License-Identifier: ISC */
/*
 * arc_tool.c - a test driver for the ARC core (never installed), so other
 * implementations can be held against it offline at a fixed time:
 *   arc_tool verify --now T --keys KEYFILE MSGFILE
 *       prints "arc=RESULT instances=N oldest_pass=K [reason=TEXT]" and a
 *       line per Set "i=I d=D s=S cv=CV seal=R ams=R"; exit 0 for pass,
 *       1 for fail or none, 2 when it could not run.
 *   arc_tool seal --now T --keys KEYFILE --key PEM --domain D
 *       --selector S [--ar PAYLOAD] MSGFILE
 *       verifies the chain as above, then adds the Set the verifier
 *       allows (instance and cv=) and writes the message with the three
 *       fields on top to stdout; exit 1 when no Set may be added.
 *   arc_tool scope --now T --keys KEYFILE MSGFILE
 *       which ARC Sets the newest ARC-Seal signs: prints "scope=all"
 *       (Sets 1..N, RFC 8617 5.1.1), "scope=own" (its own Set alone, as
 *       5.1.2 wants for cv=fail) or "scope=neither"; exit 0, or 2.
 * KEYFILE: lines "NAME RECORD" ("s._domainkey.d v=DKIM1; k=rsa; p=...");
 * RECORD "TIMEOUT" or "SERVFAIL" makes that lookup fail so; a name not
 * listed is absent. MSGFILE: LF or CRLF line ends; the output uses CRLF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc_seal.h"
#include "arc_verify.h"
#include "buf.h"
#include "dkim_hdrhash.h"
#include "dkim_key.h"
#include "dkim_keyrec.h"
#include "dkim_pkey.h"

struct keyline {
	char	*name, *rec;
};

static struct keyline keys[256];
static size_t nkeys;

static int
slurp(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char tmp[8192];
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	fclose(f);
	return buf_failed(out) ? -1 : 0;
}

static int
read_keys(const char *path)
{
	struct buf b = BUF_INIT;
	char *line, *save = NULL, *sp;

	if (slurp(path, &b) == -1)
		return -1;
	for (line = strtok_r(b.data, "\r\n", &save); line != NULL &&
	    nkeys < 256; line = strtok_r(NULL, "\r\n", &save)) {
		if ((sp = strchr(line, ' ')) == NULL || *line == '#')
			continue;
		*sp = '\0';
		keys[nkeys].name = strdup(line);
		keys[nkeys++].rec = strdup(sp + 1);
	}
	buf_free(&b);
	return 0;
}

/* Split the message into the header list and the body (CRLF). */
static int
read_msg(const char *path, struct hdr_list *l, struct buf *body)
{
	struct buf m = BUF_INIT, f = BUF_INIT;
	const char *p, *end, *nl;
	bool in_body = false;

	if (slurp(path, &m) == -1)
		return -1;
	p = m.data;
	end = m.data + m.len;
	while (p < end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (in_body) {
			buf_add(body, p, n);
			if (nl != NULL)
				buf_adds(body, "\r\n");
		} else if (n == 0) {
			in_body = true;
		} else if ((*p == ' ' || *p == '\t') && f.len > 0) {
			buf_adds(&f, "\r\n");
			buf_add(&f, p, n);
		} else {
			if (f.len > 0 && hdr_list_add_raw(l, f.data, f.len) !=
			    HDR_ADDED)
				return -1;
			buf_reset(&f);
			buf_add(&f, p, n);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (f.len > 0 && hdr_list_add_raw(l, f.data, f.len) != HDR_ADDED)
		return -1;
	buf_free(&f);
	buf_free(&m);
	return 0;
}

static struct arc_verifier *
verify(const struct hdr_list *l, const struct buf *body, time_t now)
{
	struct arc_verifier *vf;
	struct err e;
	size_t k, j;

	if ((vf = arc_verifier_new(l, &e)) == NULL)
		goto fail;
	for (k = 0; k < arc_verifier_key_count(vf); k++) {
		const char *name = arc_verifier_key_name(vf, k);

		for (j = 0; j < nkeys; j++)
			if (strcasecmp(keys[j].name, name) == 0)
				break;
		if (j == nkeys)
			arc_verifier_set_key(vf, k, DKIM_KEY_ABSENT, NULL,
			    NULL, 0);
		else if (strcmp(keys[j].rec, "TIMEOUT") == 0)
			arc_verifier_set_key(vf, k, DKIM_KEY_TIMEOUT, NULL,
			    NULL, 0);
		else if (strcmp(keys[j].rec, "SERVFAIL") == 0)
			arc_verifier_set_key(vf, k, DKIM_KEY_SERVFAIL, NULL,
			    NULL, 0);
		else {
			const char *txt[1] = { keys[j].rec };
			size_t tl[1] = { strlen(keys[j].rec) };

			arc_verifier_set_key(vf, k, DKIM_KEY_FOUND, txt, tl, 1);
		}
	}
	if (arc_verifier_body(vf, (const unsigned char *)body->data, body->len,
	    &e) == -1 || arc_verifier_finish(vf, now, &e) == -1)
		goto fail;
	return vf;
fail:
	fprintf(stderr, "arc_tool: %s\n", e.msg);
	arc_verifier_free(vf);
	return NULL;
}

static void
report(const struct arc_verifier *vf, FILE *out)
{
	const struct arc_result *r = arc_verifier_result(vf);
	unsigned i;

	fprintf(out, "arc=%s instances=%u oldest_pass=%u", auth_result_name(
	    r->result), r->instances, r->oldest_pass);
	if (r->reason != NULL)
		fprintf(out, " reason=%s", r->reason);
	fputc('\n', out);
	for (i = 1; i <= r->instances; i++) {
		const struct arc_instance *in = arc_verifier_instance(vf, i);

		fprintf(out, "i=%u d=%s s=%s cv=%s seal=%s ams=%s\n", in->i,
		    in->domain, in->selector, arc_cv_name(in->cv),
		    auth_result_name(in->seal), auth_result_name(in->ams));
	}
}

static int
seal(const struct hdr_list *l, const struct buf *body,
    const struct arc_verifier *vf, const char *keyfile, const char *domain,
    const char *selector, const char *ar, time_t now)
{
	static const char *const sign[] = {
		"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
		"In-Reply-To", "References", "MIME-Version", "Content-Type",
		"Content-Transfer-Encoding", "List-Id", "DKIM-Signature",
	};
	struct arc_seal_params p;
	struct arc_sealer *s = NULL;
	struct buf pem = BUF_INIT;
	EVP_PKEY *key = NULL;
	struct err e;
	size_t i;
	int rc = 2;

	memset(&p, 0, sizeof(p));
	if (!arc_verifier_may_seal(vf, &p.instance, &p.cv)) {
		fprintf(stderr, "arc_tool: RFC 8617 5.1 says not to seal\n");
		return 1;
	}
	if (slurp(keyfile, &pem) == -1 ||
	    (key = dkim_key_from_pem(pem.data, pem.len, &e)) == NULL)
		goto out;
	p.ar_payload = ar;
	p.domain = domain;
	p.selector = selector;
	p.key = key;
	p.now = now;
	p.sign_headers = sign;
	p.nsign_headers = sizeof(sign) / sizeof(sign[0]);
	if ((s = arc_sealer_new(&p, l, &e)) == NULL ||
	    arc_sealer_body(s, (const unsigned char *)body->data, body->len,
	    &e) == -1 || arc_sealer_finish(s, &e) == -1)
		goto out;
	printf("%s:%s\r\n%s:%s\r\n%s:%s\r\n", ARC_SEAL_FIELD,
	    arc_sealer_seal(s), ARC_AMS_FIELD, arc_sealer_ams(s),
	    ARC_AAR_FIELD, arc_sealer_aar(s));
	for (i = 0; i < l->n; i++)
		printf("%s\r\n", l->f[i].raw);
	printf("\r\n");
	fwrite(body->data, 1, body->len, stdout);
	rc = 0;
out:
	if (rc == 2 && !(s != NULL && key != NULL))
		fprintf(stderr, "arc_tool: %s\n", e.msg);
	arc_sealer_free(s);
	EVP_PKEY_free(key);
	buf_wipe(&pem);
	return rc;
}

/* Does AS(N)'s b= verify over fields[0..n) and the AS itself? */
static int
seal_over(const struct arc_set *set, const struct taglist_view *fields,
    size_t n, EVP_PKEY *key)
{
	struct buf self = BUF_INIT;
	unsigned char d[32];
	struct err e;
	int r = -1;

	dkim_hdrhash_self(set->as, set->seal.b_off, set->seal.b_len, &self);
	if (!buf_failed(&self) &&
	    arc_seal_digest(fields, n, self.data, self.len, d, &e) == 0)
		r = dkim_pkey_verify(key, DKIM_KEY_RSA, d,
		    (const unsigned char *)set->seal.b.data, set->seal.b.len,
		    &e);
	buf_free(&self);
	return r;
}

static int
scope(const struct hdr_list *l)
{
	struct taglist_view fields[3 * ARC_MAX_INSTANCES];
	struct arc_chain ch;
	struct dkim_keyrec kr;
	const struct arc_set *set;
	struct err e;
	char name[600];
	size_t n, j;
	int all, own, rc = 2;

	memset(&kr, 0, sizeof(kr));
	if (arc_chain_parse(l, &ch, &e) == -1 || ch.highest == 0)
		goto out;
	set = &ch.set[ch.highest - 1];
	if (set->aar == NULL || set->ams == NULL || !set->seal_parsed ||
	    set->seal.reason != NULL)
		goto out;
	snprintf(name, sizeof(name), "%.*s._domainkey.%.*s",
	    (int)set->seal.s.len, set->seal.s.p, (int)set->seal.d.len,
	    set->seal.d.p);
	for (j = 0; j < nkeys && strcasecmp(keys[j].name, name) != 0; j++)
		;
	if (j == nkeys || dkim_keyrec_parse(keys[j].rec, strlen(keys[j].rec),
	    &kr, &e) == -1 || kr.outcome != DKIM_KEYREC_OK)
		goto out;
	arc_chain_seal_fields(&ch, ch.highest, fields, &n);
	all = seal_over(set, fields, n, kr.key);
	fields[0].p = set->aar->raw;
	fields[0].len = set->aar->raw_len;
	fields[1].p = set->ams->raw;
	fields[1].len = set->ams->raw_len;
	own = seal_over(set, fields, 2, kr.key);
	if (all == -1 || own == -1)
		goto out;
	printf("scope=%s\n", all == 1 ? "all" : own == 1 ? "own" : "neither");
	rc = 0;
out:
	if (rc == 2)
		fprintf(stderr, "arc_tool: cannot check the newest seal\n");
	dkim_keyrec_free(&kr);
	arc_chain_free(&ch);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: arc_tool verify --now T --keys KEYFILE MSG\n"
	    "       arc_tool seal --now T --keys KEYFILE --key PEM --domain D "
	    "--selector S [--ar PAYLOAD] MSG\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *mode, *keyfile = NULL, *pem = NULL, *domain = NULL,
	    *selector = NULL, *ar = "inkan.example; arc=none", *msg = NULL;
	struct hdr_list l;
	struct buf body = BUF_INIT;
	struct arc_verifier *vf;
	time_t now = 0;
	int i, rc;

	if (argc < 2)
		return usage();
	mode = argv[1];
	for (i = 2; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--now") == 0)
			now = (time_t)strtoll(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--keys") == 0)
			keyfile = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--key") == 0)
			pem = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--domain") == 0)
			domain = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--selector") == 0)
			selector = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--ar") == 0)
			ar = argv[++i];
		else if (msg == NULL && argv[i][0] != '-')
			msg = argv[i];
		else
			return usage();
	}
	if (msg == NULL || now == 0 || keyfile == NULL)
		return usage();
	if (strcmp(mode, "seal") == 0 && (pem == NULL || domain == NULL ||
	    selector == NULL))
		return usage();
	hdr_list_init(&l);
	if (read_keys(keyfile) == -1 || read_msg(msg, &l, &body) == -1) {
		fprintf(stderr, "arc_tool: cannot read the input\n");
		return 2;
	}
	vf = NULL;
	if (strcmp(mode, "scope") == 0)
		rc = scope(&l);
	else if ((vf = verify(&l, &body, now)) == NULL)
		rc = 2;
	else if (strcmp(mode, "verify") == 0) {
		report(vf, stdout);
		rc = arc_verifier_result(vf)->result == AUTH_PASS ? 0 : 1;
	} else if (strcmp(mode, "seal") == 0) {
		report(vf, stderr);
		rc = seal(&l, &body, vf, pem, domain, selector, ar, now);
	} else
		rc = usage();
	arc_verifier_free(vf);
	hdr_list_free(&l);
	buf_free(&body);
	return rc;
}
