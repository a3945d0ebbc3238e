/* SPDX-License-Identifier: ISC */
/*
 * test_dns_cache.c - unit tests for dns_cache.c: the answer cache in front
 * of another resolver. The inner resolver is a zone file (dns_zone.c)
 * behind a counting backend, so each test sees which lookups reached it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "dns_cache.h"
#include "err.h"

static const char zone[] =
    "txt.example. 300 IN TXT \"v=DKIM1; \" \"p=abc\"\n"
    "a.example. 300 IN A 192.0.2.1\n"
    "zero.example. 0 IN TXT \"not kept\"\n"
    "a.example. 300 IN MX 10 mx.example.\n"
    "slow.example. TIMEOUT\n"
    "broken.example. SERVFAIL\n";

static unsigned int inner_lookups;

/* The counting backend around the zone resolver. */
static void *
count_start(void *ctx, const char *name, enum dns_type t, struct err *e)
{
	inner_lookups++;
	return dns_start(ctx, name, t, e);
}

static int
count_wait(void *ctx, void *q, const struct timespec *d, struct dns_result *o,
    struct err *e)
{
	return dns_wait(ctx, q, d, o, e);
}

static void
count_cancel(void *ctx, void *q)
{
	(void)ctx;
	dns_cancel(q);
}

static void
count_free(void *ctx)
{
	dns_resolver_free(ctx);
}

static const struct dns_backend count_backend = {
	count_start, count_wait, count_cancel, count_free,
};

static struct dns_resolver *
make(void)
{
	struct dns_resolver *z, *c;
	struct err e;

	z = dns_zone_from_memory(zone, sizeof(zone) - 1, &e);
	assert_non_null(z);
	c = dns_cache_new(dns_resolver_new(&count_backend, z, &e), &e);
	assert_non_null(c);
	inner_lookups = 0;
	return c;
}

static void
lookup(struct dns_resolver *r, const char *name, enum dns_type t,
    struct dns_result *out)
{
	struct err e;

	assert_int_equal(dns_lookup(r, name, t, 1000, out, &e), 0);
}

/* A second lookup is answered from the cache, with the same records. */
static void
test_hit(void **state)
{
	struct dns_resolver *r = make();
	struct dns_result a, b;

	(void)state;
	lookup(r, "txt.example", DNS_TXT, &a);
	lookup(r, "TXT.Example.", DNS_TXT, &b);	/* case, trailing dot */
	assert_int_equal(inner_lookups, 1);
	assert_int_equal(a.status, DNS_OK);
	assert_int_equal(b.status, DNS_OK);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.rr[0].len, a.rr[0].len);
	assert_memory_equal(b.rr[0].data, "v=DKIM1; p=abc", 15);
	/* the pieces point into the copy's own data */
	assert_int_equal(b.rr[0].npieces, 2);
	assert_ptr_equal(b.rr[0].pieces[0].data, b.rr[0].data);
	assert_ptr_equal(b.rr[0].pieces[1].data, b.rr[0].data + 9);
	assert_int_equal(b.rr[0].pieces[1].len, 5);
	dns_result_free(&a);
	/* b is the caller's own: the cache's copy is still whole */
	dns_result_free(&b);
	lookup(r, "txt.example", DNS_TXT, &b);
	assert_memory_equal(b.rr[0].data, "v=DKIM1; p=abc", 15);
	assert_int_equal(inner_lookups, 1);
	dns_result_free(&b);
	/* another type of the same name is another entry */
	lookup(r, "a.example", DNS_MX, &a);
	lookup(r, "a.example", DNS_A, &b);
	assert_int_equal(inner_lookups, 3);
	assert_string_equal(a.rr[0].name, "mx.example");
	assert_int_equal(b.rr[0].len, 4);
	dns_result_free(&a);
	dns_result_free(&b);
	dns_resolver_free(r);
}

/* What is and is not kept: negative answers yes, TTL 0 and failures no. */
static void
test_what_is_kept(void **state)
{
	static const struct {
		const char	*name;
		enum dns_status	 want;
		unsigned int	 lookups;	/* reaching inner, of two */
	} t[] = {
		{ "missing.example", DNS_NXDOMAIN, 1 },
		{ "a.example", DNS_NODATA, 1 },		/* asked for TXT */
		{ "zero.example", DNS_OK, 2 },
		{ "slow.example", DNS_TIMEOUT, 2 },
		{ "broken.example", DNS_SERVFAIL, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct dns_resolver *r = make();
		struct dns_result a, b;

		print_message("case: %s\n", t[i].name);
		lookup(r, t[i].name, DNS_TXT, &a);
		lookup(r, t[i].name, DNS_TXT, &b);
		assert_int_equal(a.status, t[i].want);
		assert_int_equal(b.status, t[i].want);
		assert_int_equal(inner_lookups, t[i].lookups);
		dns_result_free(&a);
		dns_result_free(&b);
		dns_resolver_free(r);
	}
}

/* A query started and cancelled, hit or miss, leaks nothing. */
static void
test_cancel(void **state)
{
	struct dns_resolver *r = make();
	struct dns_result a;
	struct dns_query *q;
	struct err e;

	(void)state;
	assert_non_null(q = dns_start(r, "txt.example", DNS_TXT, &e));
	dns_cancel(q);
	lookup(r, "txt.example", DNS_TXT, &a);
	dns_result_free(&a);
	assert_non_null(q = dns_start(r, "txt.example", DNS_TXT, &e));
	dns_cancel(q);
	assert_int_equal(inner_lookups, 2);
	dns_resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit),
		cmocka_unit_test(test_what_is_kept),
		cmocka_unit_test(test_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
