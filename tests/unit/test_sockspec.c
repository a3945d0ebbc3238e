/* SPDX-License-Identifier: ISC */
/*
 * test_sockspec.c - unit tests for sockspec.c: the "socket" setting read
 * as libmilter reads it, Postfix's HOST:PORT refused with the spelling to
 * use, and the checks -n makes without binding.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sockspec.h"

static void
test_parse(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		int		 family;
		unsigned	 port;
		const char	*host;	/* or, for rc -1, a part of the message */
	} t[] = {
		{ "inet:8894@127.0.0.1", 0, AF_INET, 8894, "127.0.0.1" },
		{ "inet:8894@localhost", 0, AF_INET, 8894, "localhost" },
		{ "inet:8894@[127.0.0.1]", 0, AF_INET, 8894, "127.0.0.1" },
		{ "inet:8894", 0, AF_INET, 8894, "" },	/* every address */
		{ "inet:1@::1", -1, 0, 0, "is not an IPv4 address" },
		{ "inet6:8894@::1", 0, AF_INET6, 8894, "::1" },
		{ "inet6:8894@[::1]", 0, AF_INET6, 8894, "::1" },
		{ "inet6:65535@mx.example", 0, AF_INET6, 65535, "mx.example" },
		{ "unix:/run/inkan/inkan.sock", 0, AF_UNIX, 0, NULL },
		{ "local:/run/inkan/inkan.sock", 0, AF_UNIX, 0, NULL },
		/* Postfix's spelling: what libmilter would do, and what to write */
		{ "inet:127.0.0.1:8897", -1, 0, 0,
		    "listen on port 127 of every interface: write "
		    "inet:8897@127.0.0.1" },
		{ "inet:localhost:8897", -1, 0, 0, "write inet:8897@localhost" },
		{ "inet:[::1]:8897", -1, 0, 0, "write inet6:8897@::1" },
		{ "inet6:[2001:db8::1]:25", -1, 0, 0,
		    "write inet6:25@2001:db8::1" },
		{ "inet:0@127.0.0.1", -1, 0, 0, "a port from 1 to 65535" },
		{ "inet:65536@127.0.0.1", -1, 0, 0, "a port from 1 to 65535" },
		{ "inet:88x@127.0.0.1", -1, 0, 0, "a port from 1 to 65535" },
		{ "inet:@127.0.0.1", -1, 0, 0, "a port from 1 to 65535" },
		{ "inet:8894@", -1, 0, 0, "no host" },
		{ "inet:8894@[]", -1, 0, 0, "lacks its ']'" },
		{ "inet:8894@[mx.example]", -1, 0, 0, "not an IPv4 address" },
		{ "inet:8894@bad_host", -1, 0, 0, "not an IPv4 address or a host" },
		{ "unix:inkan.sock", -1, 0, 0, "absolute" },
		{ "/run/inkan.sock", -1, 0, 0, "expected unix:PATH" },
		{ "tcp:8894@127.0.0.1", -1, 0, 0, "expected unix:PATH" },
		{ "", -1, 0, 0, "expected unix:PATH" },
	};
	struct sockspec s;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = sockspec_parse(t[i].in, &s, &e);

		print_message("case: %s\n", t[i].in);
		if (rc != t[i].rc)
			fail_msg("%s: rc %d, want %d (%s)", t[i].in, rc, t[i].rc,
			    rc == -1 ? e.msg : "");
		if (rc == -1) {
			if (strstr(e.msg, t[i].host) == NULL)
				fail_msg("%s: message \"%s\" lacks \"%s\"",
				    t[i].in, e.msg, t[i].host);
			continue;
		}
		assert_int_equal(s.family, t[i].family);
		if (s.family == AF_UNIX) {
			assert_string_equal(s.path, strchr(t[i].in, ':') + 1);
			continue;
		}
		assert_int_equal(s.port, t[i].port);
		assert_string_equal(s.host, t[i].host);
	}
	/* a path that does not fit sun_path */
	{
		char spec[300];

		memset(spec, 'a', sizeof(spec) - 1);
		spec[sizeof(spec) - 1] = '\0';
		memcpy(spec, "unix:/", 6);
		assert_int_equal(sockspec_parse(spec, &s, &e), -1);
		assert_non_null(strstr(e.msg, "longer than"));
	}
}

static void
test_check(void **state)
{
	char dir[] = "/tmp/test_sockspec.XXXXXX", spec[400], file[300];
	struct sockspec s;
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	print_message("case: a unix socket in a directory that exists\n");
	snprintf(spec, sizeof(spec), "unix:%s/m.sock", dir);
	assert_int_equal(sockspec_parse(spec, &s, &e), 0);
	assert_int_equal(sockspec_check(&s, &e), 0);
	print_message("case: the probe binds and leaves nothing behind\n");
	assert_int_equal(sockspec_probe(&s, &e), 0);
	assert_int_equal(access(s.path, F_OK), -1);

	print_message("case: a missing directory\n");
	snprintf(spec, sizeof(spec), "unix:%s/none/m.sock", dir);
	assert_int_equal(sockspec_parse(spec, &s, &e), 0);
	assert_int_equal(sockspec_check(&s, &e), -1);
	assert_non_null(strstr(e.msg, "No such file or directory"));

	print_message("case: a file that is not a socket at the path\n");
	snprintf(file, sizeof(file), "%s/plain", dir);
	fclose(fopen(file, "w"));
	snprintf(spec, sizeof(spec), "unix:%s", file);
	assert_int_equal(sockspec_parse(spec, &s, &e), 0);
	assert_int_equal(sockspec_check(&s, &e), -1);
	assert_non_null(strstr(e.msg, "is not a socket"));
	print_message("case: a file as the directory\n");
	snprintf(spec, sizeof(spec), "unix:%s/m.sock", file);
	assert_int_equal(sockspec_parse(spec, &s, &e), 0);
	assert_int_equal(sockspec_check(&s, &e), -1);
	assert_non_null(strstr(e.msg, "Not a directory"));
	unlink(file);
	rmdir(dir);

	print_message("case: an address in use, found by the probe\n");
	{
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000001);
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)), 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)), 0);
		assert_int_equal(listen(fd, 1), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sin,
		    &len), 0);
		snprintf(spec, sizeof(spec), "inet:%u@127.0.0.1",
		    (unsigned)ntohs(sin.sin_port));
		assert_int_equal(sockspec_parse(spec, &s, &e), 0);
		assert_int_equal(sockspec_check(&s, &e), 0);
		assert_int_equal(sockspec_probe(&s, &e), -1);
		assert_non_null(strstr(e.msg, "Address already in use"));
		close(fd);
		assert_int_equal(sockspec_probe(&s, &e), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
