/* SPDX-License-Identifier: ISC */
/*
 * fuzz_arc.c - libFuzzer target for ARC (arc_set.c, arc_verify.c and,
 * when the verifier says a Set may be added, arc_seal.c).
 * Input: sections split by NUL bytes: a header block (LF or CRLF line
 * ends, lines starting with white space continue a field), the body, then
 * key answers: key name k of the verifier gets section 2 + k modulo their
 * number ("!T" timeout, "!S" server failure, "!A" absent, else a TXT
 * record); without key sections every key is absent.
 * Invariants: the result is none, pass or fail, with a reason exactly
 * when it fails; instances and oldest-pass stay within 50; an instance
 * the verifier describes says its own number; and when the verifier
 * allows a Set, the sealer accepts its instance and cv= and makes it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "arc_seal.h"
#include "arc_verify.h"

#define FUZZ_NOW	((time_t)1700000000)
#define MAX_SECTIONS	8

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static EVP_PKEY *seal_key;

static void
add_headers(struct hdr_list *l, const char *p, size_t len)
{
	struct buf f = BUF_INIT;
	const char *end = p + len, *nl;

	while (p < end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && (*p == ' ' || *p == '\t') && f.len > 0) {
			buf_adds(&f, "\r\n");
			buf_add(&f, p, n);
		} else {
			if (f.len > 0)
				(void)hdr_list_add_raw(l, f.data, f.len);
			buf_reset(&f);
			buf_add(&f, p, n);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (f.len > 0 && !buf_failed(&f))
		(void)hdr_list_add_raw(l, f.data, f.len);
	buf_free(&f);
}

static void
try_seal(const struct hdr_list *l, const char *body, size_t blen,
    unsigned inst, enum arc_cv cv)
{
	static const char *const sign[] = { "From", "To", "Subject" };
	struct arc_seal_params p;
	struct arc_sealer *s;
	struct err e;

	if (seal_key == NULL &&
	    (seal_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024)) ==
	    NULL)
		abort();
	memset(&p, 0, sizeof(p));
	p.instance = inst;
	p.cv = cv;
	p.ar_payload = "mx.example.org; arc=pass";
	p.domain = "example.org";
	p.selector = "s";
	p.key = seal_key;
	p.now = FUZZ_NOW;
	p.sign_headers = sign;
	p.nsign_headers = 3;
	if ((s = arc_sealer_new(&p, l, &e)) == NULL)
		abort();	/* the verifier said this Set may be made */
	if (arc_sealer_body(s, (const unsigned char *)body, blen, &e) == -1 ||
	    arc_sealer_finish(s, &e) == -1)
		abort();
	arc_sealer_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sec[MAX_SECTIONS];
	size_t seclen[MAX_SECTIONS], nsec = 0, k, i;
	struct hdr_list l;
	struct arc_verifier *vf;
	const struct arc_result *r;
	struct err e;
	char *in;
	unsigned inst;
	enum arc_cv cv;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	for (i = 0, k = 0; i <= size && nsec < MAX_SECTIONS; i++)
		if (i == size || in[i] == '\0') {
			sec[nsec] = in + k;
			seclen[nsec++] = i - k;
			k = i + 1;
		}
	hdr_list_init(&l);
	add_headers(&l, sec[0], seclen[0]);
	if ((vf = arc_verifier_new(&l, &e)) == NULL)
		goto out;
	for (k = 0; k < arc_verifier_key_count(vf); k++) {
		const char *txt[1];
		size_t tl[1];

		if (arc_verifier_key_name(vf, k) == NULL)
			abort();
		if (nsec <= 2) {
			arc_verifier_set_key(vf, k, DKIM_KEY_ABSENT, NULL,
			    NULL, 0);
			continue;
		}
		i = 2 + k % (nsec - 2);
		txt[0] = sec[i];
		tl[0] = seclen[i];
		if (tl[0] == 2 && txt[0][0] == '!')
			arc_verifier_set_key(vf, k, txt[0][1] == 'T' ?
			    DKIM_KEY_TIMEOUT : txt[0][1] == 'S' ?
			    DKIM_KEY_SERVFAIL : DKIM_KEY_ABSENT, NULL, NULL, 0);
		else
			arc_verifier_set_key(vf, k, DKIM_KEY_FOUND, txt, tl, 1);
	}
	if (nsec > 1 && arc_verifier_body(vf, (const unsigned char *)sec[1],
	    seclen[1], &e) == -1)
		goto out;
	if (arc_verifier_finish(vf, FUZZ_NOW, &e) == -1)
		goto out;
	r = arc_verifier_result(vf);
	if (r->result != AUTH_NONE && r->result != AUTH_PASS &&
	    r->result != AUTH_FAIL)
		abort();
	if ((r->result == AUTH_FAIL) != (r->reason != NULL))
		abort();
	if (r->instances > ARC_MAX_INSTANCES || r->oldest_pass > r->instances ||
	    (r->result == AUTH_NONE && r->fields != 0))
		abort();
	for (k = 1; k <= r->instances; k++)
		if (arc_verifier_instance(vf, (unsigned)k)->i != k)
			abort();
	if (arc_verifier_may_seal(vf, &inst, &cv))
		try_seal(&l, nsec > 1 ? sec[1] : "", nsec > 1 ? seclen[1] : 0,
		    inst, cv);
out:
	arc_verifier_free(vf);
	hdr_list_free(&l);
	free(in);
	return 0;
}
