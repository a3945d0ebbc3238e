/* SPDX-License-Identifier: ISC */
/*
 * test_dmarc_record.c - unit tests for dmarc_record.c, the DMARC Policy
 * Record of RFC 9989 4.7/4.8: every tag, the defaults, bad values (which
 * fall back to defaults), unknown and removed tags, v not first, the
 * invalid-policy rule of 4.10.1, and report URI views. One table; each
 * case prints its name. Inputs are copied to an allocation of exactly
 * their length so a read past the end shows under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc_record.h"

#define NONE	DMARC_REQ_NONE
#define QUAR	DMARC_REQ_QUARANTINE
#define REJ	DMARC_REQ_REJECT
#define R	DMARC_ALIGN_RELAXED
#define S	DMARC_ALIGN_STRICT
#define PU	DMARC_PSD_U
#define PY	DMARC_PSD_Y
#define PN	DMARC_PSD_N
#define UNSET	-1

struct rcase {
	const char			*name, *in;
	enum dmarc_record_outcome	 want;
	int				 p, sp, np;	/* UNSET: not present */
	enum dmarc_psd			 psd;
	bool				 t;
	enum dmarc_align		 adkim, aspf;
	unsigned			 fo;
	const char			*rua0;		/* first rua URI or NULL */
	size_t				 nrua, nruf;
	unsigned			 removed;
	int				 pct;
	bool				 forced, ignored;
};

static const struct rcase cases[] = {
	{ "minimal: defaults", "v=DMARC1", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "p=reject", "v=DMARC1; p=reject", DMARC_RECORD_OK,
	    REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "trailing separator", "v=DMARC1; p=quarantine;", DMARC_RECORD_OK,
	    QUAR, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "every tag",
	    "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=n; t=y; "
	    "adkim=s; aspf=s; rua=mailto:a@example.com; "
	    "ruf=mailto:f@example.com; fo=1:d:s", DMARC_RECORD_OK,
	    REJ, QUAR, REJ, PN, true, S, S,
	    DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S, "mailto:a@example.com",
	    1, 1, 0, -1, false, false },
	{ "white space around = and ;",
	    "v = DMARC1 ;p = none\t;  sp=reject  ", DMARC_RECORD_OK,
	    NONE, REJ, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "keywords are case-insensitive", "v=DMARC1; P=Reject; PSD=Y",
	    DMARC_RECORD_OK, REJ, UNSET, UNSET, PY, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, 0, -1, false, false },
	{ "psd=u", "v=DMARC1; psd=u", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "t=n", "v=DMARC1; p=reject; t=n", DMARC_RECORD_OK,
	    REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "two rua URIs with white space",
	    "v=DMARC1; rua=mailto:a@example.com , mailto:b@example.net",
	    DMARC_RECORD_OK, NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    "mailto:a@example.com", 2, 0, 0, -1, false, false },
	{ "RFC 7489 size suffix cut off",
	    "v=DMARC1; rua=mailto:a@example.com!10m", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    "mailto:a@example.com", 1, 0, 0, -1, false, false },
	{ "bad URI dropped, good kept",
	    "v=DMARC1; rua=not a uri,mailto:x@example.com",
	    DMARC_RECORD_OK, NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    "mailto:x@example.com", 1, 0, 0, -1, false, true },
	{ "fo without ruf is ignored", "v=DMARC1; fo=1", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "bad fo falls back to 0",
	    "v=DMARC1; ruf=mailto:f@example.com; fo=x", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 1, 0,
	    -1, false, true },
	{ "unknown tag ignored", "v=DMARC1; p=reject; foo=bar",
	    DMARC_RECORD_OK, REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, 0, -1, false, false },
	{ "bad adkim/aspf/psd/t fall back to defaults",
	    "v=DMARC1; adkim=x; aspf=; psd=maybe; t=yes", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, true },
	{ "malformed tag ignored", "v=DMARC1; =x; 1a=b; p=reject",
	    DMARC_RECORD_OK, REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, 0, -1, false, true },
	{ "repeated tag: the first counts", "v=DMARC1; p=reject; p=none",
	    DMARC_RECORD_OK, REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, 0, -1, false, true },
	{ "pct removed: noted, no effect", "v=DMARC1; p=reject; pct=0",
	    DMARC_RECORD_OK, REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, DMARC_REMOVED_PCT, 0, false, false },
	{ "rf and ri removed", "v=DMARC1; rf=afrf; ri=86400",
	    DMARC_RECORD_OK, NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, DMARC_REMOVED_RF | DMARC_REMOVED_RI, -1, false,
	    false },
	{ "pct out of range", "v=DMARC1; pct=101", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0,
	    DMARC_REMOVED_PCT, -1, false, false },
	{ "invalid p with valid rua: p=none", "v=DMARC1; p=bogus; sp=reject; "
	    "rua=mailto:a@example.com", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    "mailto:a@example.com", 1, 0, 0, -1, true, false },
	{ "invalid np with valid rua: p=none", "v=DMARC1; p=reject; np=x; "
	    "rua=mailto:a@example.com", DMARC_RECORD_OK,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    "mailto:a@example.com", 1, 0, 0, -1, true, false },
	{ "invalid p without rua", "v=DMARC1; p=bogus", DMARC_RECORD_INVALID,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "invalid sp, rua without valid URI", "v=DMARC1; p=none; sp=x; "
	    "rua=nope", DMARC_RECORD_INVALID, NONE, UNSET, UNSET, PU, false,
	    R, R, DMARC_FO_0, NULL, 0, 0, 0, -1, false, true },
	{ "invalid record keeps psd", "v=DMARC1; p=bad; psd=y",
	    DMARC_RECORD_INVALID, NONE, UNSET, UNSET, PY, false, R, R,
	    DMARC_FO_0, NULL, 0, 0, 0, -1, false, false },
	{ "v not first", "p=reject; v=DMARC1", DMARC_RECORD_NOT_DMARC,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "v case-sensitive value", "v=dmarc1; p=reject",
	    DMARC_RECORD_NOT_DMARC, NONE, UNSET, UNSET, PU, false, R, R,
	    DMARC_FO_0, NULL, 0, 0, 0, -1, false, false },
	{ "v=DMARC2", "v=DMARC2; p=reject", DMARC_RECORD_NOT_DMARC,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "SPF record", "v=spf1 -all", DMARC_RECORD_NOT_DMARC,
	    NONE, UNSET, UNSET, PU, false, R, R, DMARC_FO_0, NULL, 0, 0, 0,
	    -1, false, false },
	{ "missing separator after v", "v=DMARC1 p=reject",
	    DMARC_RECORD_NOT_DMARC, NONE, UNSET, UNSET, PU, false, R, R,
	    DMARC_FO_0, NULL, 0, 0, 0, -1, false, false },
	{ "leading white space", " v=DMARC1; p=reject",
	    DMARC_RECORD_NOT_DMARC, NONE, UNSET, UNSET, PU, false, R, R,
	    DMARC_FO_0, NULL, 0, 0, 0, -1, false, false },
	{ "empty", "", DMARC_RECORD_NOT_DMARC, NONE, UNSET, UNSET, PU, false,
	    R, R, DMARC_FO_0, NULL, 0, 0, 0, -1, false, false },
	{ "a later v is ignored", "v=DMARC1; v=DMARC1; p=reject",
	    DMARC_RECORD_OK, REJ, UNSET, UNSET, PU, false, R, R, DMARC_FO_0,
	    NULL, 0, 0, 0, -1, false, true },
};

static void
check_request(const char *what, bool present, enum dmarc_request got,
    int want)
{
	print_message("  %s: present %d got %s want %d\n", what, present,
	    dmarc_request_name(got), want);
	if (want == UNSET) {
		assert_false(present);
		return;
	}
	assert_true(present);
	assert_int_equal(got, want);
}

static void
test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		size_t len = strlen(c->in);
		char *in = malloc(len ? len : 1);
		struct dmarc_record r;
		enum dmarc_record_outcome got;
		const char *why;

		assert_non_null(in);
		memcpy(in, c->in, len);
		print_message("case: %s\n", c->name);
		got = dmarc_record_parse(in, len, &r, &why);
		print_message("  outcome got %d want %d (%s)\n", got, c->want,
		    why ? why : "-");
		assert_int_equal(got, c->want);
		if (got == DMARC_RECORD_NOT_DMARC) {
			assert_non_null(why);
			free(in);
			continue;
		}
		assert_int_equal(r.p, c->p == UNSET ? NONE : c->p);
		check_request("sp", r.sp_present, r.sp, c->sp);
		check_request("np", r.np_present, r.np, c->np);
		assert_int_equal(r.psd, c->psd);
		assert_int_equal(r.t, c->t);
		assert_int_equal(r.adkim, c->adkim);
		assert_int_equal(r.aspf, c->aspf);
		assert_int_equal(r.fo, c->fo);
		assert_int_equal(r.nrua, c->nrua);
		assert_int_equal(r.nruf, c->nruf);
		if (c->rua0 != NULL) {
			assert_int_equal(r.rua[0].len, strlen(c->rua0));
			assert_memory_equal(r.rua[0].p, c->rua0, r.rua[0].len);
			assert_true(r.rua[0].p >= in &&
			    r.rua[0].p + r.rua[0].len <= in + len);
		}
		assert_int_equal(r.removed, c->removed);
		assert_int_equal(r.pct, c->pct);
		assert_int_equal(r.p_forced_none, c->forced);
		if (c->ignored)
			assert_non_null(r.ignored);
		free(in);
	}
}

/* More URIs than DMARC_RECORD_MAX_URIS: the rest are counted, not kept. */
static void
test_uri_cap(void **state)
{
	char buf[2048];
	size_t i, off;
	struct dmarc_record r;
	const char *why;

	(void)state;
	off = (size_t)snprintf(buf, sizeof(buf), "v=DMARC1; rua=");
	for (i = 0; i < DMARC_RECORD_MAX_URIS + 3; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "%smailto:r%zu@example.com", i ? "," : "", i);
	assert_int_equal(dmarc_record_parse(buf, off, &r, &why),
	    DMARC_RECORD_OK);
	assert_int_equal(r.nrua, DMARC_RECORD_MAX_URIS);
	assert_int_equal(r.nrua_dropped, 3);
}

/* A NUL or control byte in a value drops that tag only. */
static void
test_control_bytes(void **state)
{
	static const char in[] = "v=DMARC1; p=re\0ject; sp=reject";
	struct dmarc_record r;
	const char *why;

	(void)state;
	assert_int_equal(dmarc_record_parse(in, sizeof(in) - 1, &r, &why),
	    DMARC_RECORD_OK);
	assert_false(r.p_present);
	assert_true(r.sp_present);
	assert_non_null(r.ignored);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_uri_cap),
		cmocka_unit_test(test_control_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
