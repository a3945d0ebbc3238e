/* SPDX-License-Identifier: ISC */
/*
 * test_cidr.c - unit tests for cidr.c: parsing networks and matching
 * client addresses, IPv4-mapped IPv6 clients included.
 */
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cidr.h"

static void
test_parse(void **state)
{
	static const struct {
		const char	*name, *in;
		int		 rc;
		int		 family;
		unsigned	 prefix;
	} t[] = {
		{ "v4 host", "192.0.2.1", 0, AF_INET, 32 },
		{ "v4 /24", "192.0.2.0/24", 0, AF_INET, 24 },
		{ "v4 /0", "0.0.0.0/0", 0, AF_INET, 0 },
		{ "v4 /32", "192.0.2.1/32", 0, AF_INET, 32 },
		{ "v4 /25", "192.0.2.128/25", 0, AF_INET, 25 },
		{ "v6 host", "2001:db8::1", 0, AF_INET6, 128 },
		{ "v6 /32", "2001:db8::/32", 0, AF_INET6, 32 },
		{ "v6 /0", "::/0", 0, AF_INET6, 0 },
		{ "v6 /128", "::1/128", 0, AF_INET6, 128 },
		{ "v6 /127", "2001:db8::/127", 0, AF_INET6, 127 },
		{ "v4-mapped v6", "::ffff:192.0.2.1", 0, AF_INET6, 128 },
		{ "empty", "", -1, 0, 0 },
		{ "v4 /33", "192.0.2.1/33", -1, 0, 0 },
		{ "v6 /129", "::/129", -1, 0, 0 },
		{ "empty prefix", "192.0.2.1/", -1, 0, 0 },
		{ "negative prefix", "192.0.2.1/-1", -1, 0, 0 },
		{ "plus sign prefix", "192.0.2.1/+24", -1, 0, 0 },
		{ "space in prefix", "192.0.2.1/ 24", -1, 0, 0 },
		{ "junk after prefix", "192.0.2.0/24x", -1, 0, 0 },
		{ "two slashes", "192.0.2.0/24/8", -1, 0, 0 },
		{ "huge prefix", "10.0.0.0/99999999999999999999999", -1, 0, 0 },
		{ "only a prefix", "/24", -1, 0, 0 },
		{ "octet over 255", "300.0.0.1", -1, 0, 0 },
		{ "three octets", "192.0.2", -1, 0, 0 },
		{ "name", "localhost", -1, 0, 0 },
		{ "space before slash", "192.0.2.1 /24", -1, 0, 0 },
		{ "bad v6", "2001:db8:::1", -1, 0, 0 },
		{ "too long", "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000"
		    "/64", -1, 0, 0 },
	};
	struct cidr c;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc;

		print_message("case: %s (\"%s\")\n", t[i].name, t[i].in);
		e.msg[0] = '\0';
		rc = cidr_parse(t[i].in, &c, &e);
		assert_int_equal(rc, t[i].rc);
		if (rc == -1) {
			assert_true(e.msg[0] != '\0');
			continue;
		}
		assert_int_equal(c.family, t[i].family);
		assert_int_equal(c.prefix, t[i].prefix);
	}
}

struct match_case {
	const char	*name;
	const char	*ip;
	bool		 want;
};

static void
run_matches(const char *const *nets, size_t nnets,
    const struct match_case *t, size_t n)
{
	struct cidr_list l = { NULL, 0 };
	struct cidr c;
	struct err e;
	size_t i;

	for (i = 0; i < nnets; i++) {
		if (cidr_parse(nets[i], &c, &e) != 0)
			fail_msg("%s: %s", nets[i], e.msg);
		assert_int_equal(cidr_list_add(&l, &c), 0);
	}
	assert_int_equal(l.n, nnets);
	for (i = 0; i < n; i++) {
		print_message("case: %s (%s)\n", t[i].name,
		    t[i].ip != NULL ? t[i].ip : "NULL");
		assert_int_equal(cidr_list_match(&l, t[i].ip), t[i].want);
	}
	cidr_list_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void
test_match(void **state)
{
	static const char *const nets[] = {
		"192.0.2.0/24", "10.0.0.1", "198.51.100.128/25",
		"2001:db8::/32", "::1", "2001:db8:ffff::/127",
	};
	static const struct match_case t[] = {
		{ "in v4 /24", "192.0.2.55", true },
		{ "first of v4 /24", "192.0.2.0", true },
		{ "last of v4 /24", "192.0.2.255", true },
		{ "outside v4 /24", "192.0.3.1", false },
		{ "v4 host", "10.0.0.1", true },
		{ "next to v4 host", "10.0.0.2", false },
		{ "in /25", "198.51.100.200", true },
		{ "below /25", "198.51.100.127", false },
		{ "in v6 /32", "2001:db8:1::5", true },
		{ "outside v6 /32", "2001:db9::1", false },
		{ "v6 host", "::1", true },
		{ "next to v6 host", "::2", false },
		{ "in v6 /127", "2001:db8:ffff::1", true },
		{ "v6 written long", "2001:0db8:0000:0000:0000:0000:0000:0001",
		    true },
		{ "v4-mapped in v4 /24", "::ffff:192.0.2.7", true },
		{ "v4-mapped v4 host", "::ffff:10.0.0.1", true },
		{ "v4-mapped outside", "::ffff:10.0.0.2", false },
		{ "v4-compatible is not mapped", "::10.0.0.1", false },
		{ "garbage", "not an address", false },
		{ "empty", "", false },
		{ "with prefix", "192.0.2.1/32", false },
		{ "NULL", NULL, false },
	};

	(void)state;
	run_matches(nets, sizeof(nets) / sizeof(nets[0]), t,
	    sizeof(t) / sizeof(t[0]));
}

static void
test_match_zero(void **state)
{
	static const char *const v4all[] = { "0.0.0.0/0" };
	static const struct match_case t4[] = {
		{ "v4 /0 matches any v4", "203.0.113.9", true },
		{ "v4 /0 matches 255.255.255.255", "255.255.255.255", true },
		{ "v4 /0 matches a mapped v4", "::ffff:1.2.3.4", true },
		{ "v4 /0 does not match v6", "2001:db8::1", false },
	};
	static const char *const v6all[] = { "::/0" };
	static const struct match_case t6[] = {
		{ "v6 /0 matches any v6", "2001:db8::1", true },
		{ "v6 /0 does not match v4", "1.2.3.4", false },
	};
	static const struct match_case none[] = {
		{ "empty list", "127.0.0.1", false },
		{ "empty list v6", "::1", false },
	};

	(void)state;
	run_matches(v4all, 1, t4, sizeof(t4) / sizeof(t4[0]));
	run_matches(v6all, 1, t6, sizeof(t6) / sizeof(t6[0]));
	run_matches(NULL, 0, none, sizeof(none) / sizeof(none[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
