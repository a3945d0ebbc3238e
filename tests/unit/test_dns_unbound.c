/* SPDX-License-Identifier: ISC */
/*
 * test_dns_unbound.c - unit tests for the libunbound backend
 * (dns_unbound.c), with no network: answers come from local data
 * (ub_ctx_data_add) in static local zones, timeouts from a forwarder that
 * is a UDP socket of this test that never answers. Covered: every record
 * type, TXT strings, NODATA against NXDOMAIN, the mapping of libunbound
 * results (rcodes, bogus, secure, malformed rdata) through
 * dns_unbound_answer, per-query and caller deadlines, concurrency (five
 * timeouts take one timeout, not five), many threads at once, cancel
 * (also racing the answer) and freeing, and configuration errors.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <unbound.h>

#include "buf.h"
#include "err.h"
#include "dns.h"
#include "dns_unbound.h"
#include "dns_text.h"

/* The per-query timeout of the timeout tests; short, but above scheduling noise. */
#define T_TIMEOUT_MS	300
#define T_THREADS	8
#define T_PER_THREAD	50

static const char *const local_zones[] = {
	"example.com.",
	"2.0.192.in-addr.arpa.",
};

static const char *const local_data[] = {
	"example.com. 300 IN TXT \"v=spf1 -all\"",
	"example.com. 300 IN A 192.0.2.1",
	"example.com. 300 IN MX 10 mail.example.com.",
	"example.com. 300 IN MX 20 backup.example.com.",
	"mail.example.com. 300 IN A 192.0.2.25",
	"mail.example.com. 300 IN AAAA 2001:db8::25",
	"nullmx.example.com. 300 IN MX 0 .",
	/* a DKIM key split into strings, as long records are */
	"sel._domainkey.example.com. 300 IN TXT \"v=DKIM1; k=rsa; \" "
	    "\"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\" \"\" "
	    "\"\\000\\255end\"",
	"25.2.0.192.in-addr.arpa. 300 IN PTR mail.example.com.",
	"ns.example.com. 300 IN NS ns1.example.com.",
	"alias.example.com. 300 IN CNAME mail.example.com.",
	"_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static struct dns_resolver *
new_local(struct err *e)
{
	struct dns_unbound_opts o;

	memset(&o, 0, sizeof(o));
	o.resolv_conf = "";
	o.local_zones = local_zones;
	o.nlocal_zones = NELEM(local_zones);
	o.local_data = local_data;
	o.nlocal_data = NELEM(local_data);
	o.query_timeout_ms = 2000;
	return dns_unbound_new(&o, e);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static struct timespec
in_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static void
test_local_data(void **state)
{
	static const struct {
		const char	*name, *qname;
		enum dns_type	 type;
		const char	*want;
	} t[] = {
		{ "SPF record in TXT", "example.com", DNS_TXT,
		    "OK \"v=spf1 -all\"" },
		{ "trailing dot, other case", "EXAMPLE.com.", DNS_TXT,
		    "OK \"v=spf1 -all\"" },
		{ "TXT of several strings, empty and binary ones",
		    "sel._domainkey.example.com", DNS_TXT,
		    "OK \"v=DKIM1; k=rsa; \" "
		    "\"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\" \"\" "
		    "\"\\000\\255end\"" },
		{ "DMARC record", "_dmarc.example.com", DNS_TXT,
		    "OK \"v=DMARC1; p=reject\"" },
		{ "A", "example.com", DNS_A, "OK 192.0.2.1" },
		{ "A of the MX host", "mail.example.com", DNS_A,
		    "OK 192.0.2.25" },
		{ "AAAA", "mail.example.com", DNS_AAAA, "OK 2001:db8::25" },
		{ "two MX", "example.com", DNS_MX,
		    "OK 10 mail.example.com | 20 backup.example.com" },
		{ "null MX (RFC 7505)", "nullmx.example.com", DNS_MX,
		    "OK 0 " },
		{ "PTR", "25.2.0.192.in-addr.arpa", DNS_PTR,
		    "OK mail.example.com" },
		{ "NS", "ns.example.com", DNS_NS, "OK ns1.example.com" },
		{ "CNAME asked for itself", "alias.example.com", DNS_CNAME,
		    "OK mail.example.com" },
		/*
		 * libunbound's local zones answer a CNAME alone and do not
		 * chase it (its iterator does, for real answers; that needs
		 * the network). Pinned here so a change in libunbound shows.
		 */
		{ "local CNAME not chased", "alias.example.com", DNS_A,
		    "NODATA" },
		{ "name with data, not of the type", "example.com", DNS_AAAA,
		    "NODATA" },
		{ "name with only TXT, asked A", "_dmarc.example.com", DNS_A,
		    "NODATA" },
		{ "name under a static zone without data",
		    "nope.example.com", DNS_TXT, "NXDOMAIN" },
		{ "PTR not in the reverse zone", "99.2.0.192.in-addr.arpa",
		    DNS_PTR, "NXDOMAIN" },
	};
	struct dns_resolver *r;
	struct err e;
	size_t i;

	(void)state;
	if ((r = new_local(&e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	for (i = 0; i < NELEM(t); i++) {
		struct dns_result res;
		struct buf got = BUF_INIT;

		print_message("case: %s\n", t[i].name);
		if (dns_lookup(r, t[i].qname, t[i].type, 5000, &res, &e) == -1)
			fail_msg("%s: lookup failed: %s", t[i].name, e.msg);
		assert_false(res.secure);	/* no trust anchor */
		dns_text_result(&got, &res, true);
		if (strcmp(buf_str(&got), t[i].want) != 0) {
			print_message("  got  %s\n  want %s\n", buf_str(&got),
			    t[i].want);
			fail();
		}
		if (res.status == DNS_OK)
			assert_int_equal(res.rr[0].ttl, 300);
		buf_free(&got);
		dns_result_free(&res);
	}
	dns_resolver_free(r);
}

/* The mapping of libunbound results, on hand-made ub_results. */
static void
test_answer_mapping(void **state)
{
	static const char rd_txt[] = "\013v=spf1 -all";
	static const char rd_txt2[] = "\003abc\000\002de";
	static const char rd_txt_long[] = "\003abc\005de";	/* runs past */
	static const char rd_txt_zero[] = "\000";
	static const char rd_a[] = "\300\000\002\001";
	static const char rd_a5[] = "\300\000\002\001\001";
	static const char rd_mx[] = "\000\012\004mail\007example\003com";
	static const char rd_mx_root[] = "\000\000";
	static const char rd_mx_short[] = "\000";
	static const char rd_mx_ptr[] = "\000\012\300\014";	/* compressed */
	static const char rd_mx_trail[] = "\000\012\001a\000x";
	static const char rd_ptr[] = "\001a\001b";
	static const char rd_ptr_space[] = "\003a b";
	static const char rd_ptr_dot[] = "\003a.b";
	static const char rd_ptr_bs[] = "\003a\\b";
	static const char rd_ptr_8bit[] = "\003a\351b";
	static const char rd_ptr_nul[] = "\003a\000b";
	static const char rd_ptr_root[] = "";
	static const char rd_ptr_trunc[] = "\005ab";
	static const struct {
		const char	*name;
		enum dns_type	 type;
		int		 err, rcode, nxdomain, secure, bogus;
		const char	*rd[3];
		int		 len[3];
		const char	*want;
		bool		 want_secure;
	} t[] = {
		{ "libunbound error", DNS_TXT, UB_SERVFAIL, 0, 0, 0, 0,
		    { NULL }, { 0 }, "SERVFAIL", false },
		{ "rcode SERVFAIL", DNS_TXT, 0, 2, 0, 0, 0,
		    { NULL }, { 0 }, "SERVFAIL", false },
		{ "rcode REFUSED", DNS_TXT, 0, 5, 0, 0, 0,
		    { NULL }, { 0 }, "SERVFAIL", false },
		{ "NXDOMAIN", DNS_TXT, 0, 3, 1, 0, 0,
		    { NULL }, { 0 }, "NXDOMAIN", false },
		{ "NXDOMAIN, validated", DNS_TXT, 0, 3, 1, 1, 0,
		    { NULL }, { 0 }, "NXDOMAIN", true },
		{ "NOERROR without data", DNS_TXT, 0, 0, 0, 0, 0,
		    { NULL }, { 0 }, "NODATA", false },
		{ "bogus answer", DNS_TXT, 0, 0, 0, 0, 1,
		    { rd_txt }, { 11 + 1 }, "SERVFAIL", false },
		{ "bogus NXDOMAIN", DNS_TXT, 0, 3, 1, 0, 1,
		    { NULL }, { 0 }, "SERVFAIL", false },
		{ "TXT", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt }, { 12 }, "OK \"v=spf1 -all\"", false },
		{ "TXT validated", DNS_TXT, 0, 0, 0, 1, 0,
		    { rd_txt }, { 12 }, "OK \"v=spf1 -all\"", true },
		{ "TXT strings with an empty one", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt2 }, { 8 }, "OK \"abc\" \"\" \"de\"", false },
		{ "TXT length past the rdata", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt_long }, { 7 }, "SERVFAIL", false },
		{ "one good, one bad TXT", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt, rd_txt_long }, { 12, 7 }, "SERVFAIL", false },
		{ "TXT rdata empty", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt_zero }, { 0 }, "SERVFAIL", false },
		{ "TXT one empty string", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt_zero }, { 1 }, "OK \"\"", false },
		{ "A", DNS_A, 0, 0, 0, 0, 0,
		    { rd_a }, { 4 }, "OK 192.0.2.1", false },
		{ "A of 5 bytes", DNS_A, 0, 0, 0, 0, 0,
		    { rd_a5 }, { 5 }, "SERVFAIL", false },
		{ "AAAA of 4 bytes", DNS_AAAA, 0, 0, 0, 0, 0,
		    { rd_a }, { 4 }, "SERVFAIL", false },
		{ "MX", DNS_MX, 0, 0, 0, 0, 0,
		    { rd_mx }, { 20 }, "OK 10 mail.example.com", false },
		{ "null MX", DNS_MX, 0, 0, 0, 0, 0,
		    { rd_mx_root }, { 3 }, "OK 0 ", false },
		{ "MX without a name", DNS_MX, 0, 0, 0, 0, 0,
		    { rd_mx_root }, { 2 }, "SERVFAIL", false },
		{ "MX of one byte", DNS_MX, 0, 0, 0, 0, 0,
		    { rd_mx_short }, { 1 }, "SERVFAIL", false },
		{ "MX with a compression pointer", DNS_MX, 0, 0, 0, 0, 0,
		    { rd_mx_ptr }, { 4 }, "SERVFAIL", false },
		{ "MX with bytes after the name", DNS_MX, 0, 0, 0, 0, 0,
		    { rd_mx_trail }, { 6 }, "SERVFAIL", false },
		{ "PTR", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr }, { 5 }, "OK a.b", false },
		{ "PTR without the root label", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr }, { 4 }, "SERVFAIL", false },
		{ "PTR with a space", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_space }, { 5 }, "SERVFAIL", false },
		{ "PTR with a dot in a label", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_dot }, { 5 }, "SERVFAIL", false },
		{ "PTR with a backslash", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_bs }, { 5 }, "SERVFAIL", false },
		{ "PTR with an 8-bit byte", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_8bit }, { 5 }, "SERVFAIL", false },
		{ "PTR with a NUL", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_nul }, { 5 }, "SERVFAIL", false },
		{ "PTR to the root", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_root }, { 1 }, "SERVFAIL", false },
		{ "PTR label past the rdata", DNS_PTR, 0, 0, 0, 0, 0,
		    { rd_ptr_trunc }, { 4 }, "SERVFAIL", false },
		{ "negative length", DNS_TXT, 0, 0, 0, 0, 0,
		    { rd_txt }, { -1 }, "SERVFAIL", false },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		struct ub_result ur;
		char *data[4];
		int len[4];
		struct dns_result res;
		struct buf got = BUF_INIT;

		print_message("case: %s\n", t[i].name);
		memset(&ur, 0, sizeof(ur));
		for (k = 0; k < 3 && t[i].rd[k] != NULL; k++) {
			/* exact-size copies: a read past shows under ASan */
			size_t n = t[i].len[k] > 0 ? (size_t)t[i].len[k] : 0;

			data[k] = malloc(n > 0 ? n : 1);
			assert_non_null(data[k]);
			memcpy(data[k], t[i].rd[k], n);
			len[k] = t[i].len[k];
		}
		data[k] = NULL;
		ur.qtype = (int)t[i].type;
		ur.qclass = 1;
		ur.data = data;
		ur.len = len;
		ur.rcode = t[i].rcode;
		ur.havedata = k > 0;
		ur.nxdomain = t[i].nxdomain;
		ur.secure = t[i].secure;
		ur.bogus = t[i].bogus;
		ur.ttl = 60;
		dns_result_init(&res);
		assert_int_equal(dns_unbound_answer(t[i].type, t[i].err,
		    t[i].err != 0 ? NULL : &ur, &res), 0);
		dns_text_result(&got, &res, true);
		if (strcmp(buf_str(&got), t[i].want) != 0 ||
		    res.secure != t[i].want_secure) {
			print_message("  got  %s%s\n  want %s%s\n",
			    buf_str(&got), res.secure ? " (secure)" : "",
			    t[i].want, t[i].want_secure ? " (secure)" : "");
			fail();
		}
		if (res.status == DNS_OK)
			assert_int_equal(res.rr[0].ttl, 60);
		else
			assert_int_equal(res.n, 0);
		buf_free(&got);
		dns_result_free(&res);
		for (k = 0; data[k] != NULL; k++)
			free(data[k]);
	}
}

/* A UDP socket on loopback that never answers; its port in *port. */
static int
silent_server(int *port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct dns_resolver *
new_silent(unsigned int timeout_ms, int *fd)
{
	static char fwd[64];
	static const char *const fwds[] = { fwd };
	struct dns_unbound_opts o;
	struct dns_resolver *r;
	struct err e;
	int port;

	*fd = silent_server(&port);
	snprintf(fwd, sizeof(fwd), "127.0.0.1@%d", port);
	memset(&o, 0, sizeof(o));
	o.forwarders = fwds;
	o.nforwarders = 1;
	o.query_timeout_ms = timeout_ms;
	if ((r = dns_unbound_new(&o, &e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	return r;
}

static void
test_timeouts(void **state)
{
	static const struct {
		const char	*name;
		unsigned int	 query_ms;	/* the per-query timeout */
		long		 deadline_ms;	/* -1: NULL; from now */
		long		 min_ms, max_ms;
	} t[] = {
		{ "per-query timeout, no deadline", T_TIMEOUT_MS, -1,
		    T_TIMEOUT_MS - 20, T_TIMEOUT_MS + 700 },
		{ "per-query timeout before the deadline", T_TIMEOUT_MS,
		    10000, T_TIMEOUT_MS - 20, T_TIMEOUT_MS + 700 },
		{ "deadline before the per-query timeout", 10000, 200,
		    180, 200 + 700 },
		{ "deadline already past", 10000, 0, 0, 300 },
	};
	struct dns_resolver *r;
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		struct timespec t0, dl;
		struct dns_query *q;
		struct dns_result res;
		struct err e;
		char name[64];
		long took;

		print_message("case: %s\n", t[i].name);
		r = new_silent(t[i].query_ms, &fd);
		snprintf(name, sizeof(name), "q%zu.example.org", i);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((q = dns_start(r, name, DNS_TXT, &e)) == NULL)
			fail_msg("dns_start: %s", e.msg);
		if (t[i].deadline_ms >= 0)
			dl = in_ms(t[i].deadline_ms);
		if (dns_wait(r, q, t[i].deadline_ms >= 0 ? &dl : NULL, &res,
		    &e) == -1)
			fail_msg("dns_wait: %s", e.msg);
		took = ms_since(&t0);
		print_message("  %s after %ld ms\n",
		    dns_status_name(res.status), took);
		assert_int_equal(res.status, DNS_TIMEOUT);
		assert_int_equal(res.n, 0);
		assert_true(took >= t[i].min_ms && took <= t[i].max_ms);
		/* the time the result reports (for the metrics) is the wait's */
		assert_true((long)(res.usec / 1000) >= t[i].min_ms &&
		    (long)(res.usec / 1000) <= took);
		dns_result_free(&res);
		dns_resolver_free(r);
		close(fd);
	}
}

/* Five lookups at once against the silent server take one timeout. */
static void
test_concurrent_timeouts(void **state)
{
	struct dns_resolver *r;
	struct dns_query *q[5];
	struct timespec t0;
	struct err e;
	size_t i;
	long took;
	int fd;

	(void)state;
	r = new_silent(T_TIMEOUT_MS, &fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < NELEM(q); i++) {
		char name[64];

		snprintf(name, sizeof(name), "c%zu.example.org", i);
		if ((q[i] = dns_start(r, name, DNS_TXT, &e)) == NULL)
			fail_msg("dns_start: %s", e.msg);
	}
	for (i = 0; i < NELEM(q); i++) {
		struct dns_result res;

		if (dns_wait(r, q[i], NULL, &res, &e) == -1)
			fail_msg("dns_wait: %s", e.msg);
		assert_int_equal(res.status, DNS_TIMEOUT);
		dns_result_free(&res);
	}
	took = ms_since(&t0);
	print_message("  5 timeouts of %d ms in %ld ms\n", T_TIMEOUT_MS,
	    took);
	/* sequential waits would take 5 timeouts */
	assert_true(took < 3 * T_TIMEOUT_MS);
	dns_resolver_free(r);
	close(fd);
}

struct worker {
	struct dns_resolver	*r;
	int			 failures;
	char			 why[ERR_MSG_MAX + 64];
};

/*
 * T_PER_THREAD lookups, three at a time (as a message starts several at
 * end of headers and waits for them later).
 */
static void *
worker_run(void *arg)
{
	static const struct {
		const char	*qname;
		enum dns_type	 type;
		enum dns_status	 want;
		size_t		 n;
	} q[] = {
		{ "example.com", DNS_TXT, DNS_OK, 1 },
		{ "example.com", DNS_MX, DNS_OK, 2 },
		{ "mail.example.com", DNS_AAAA, DNS_OK, 1 },
		{ "nope.example.com", DNS_A, DNS_NXDOMAIN, 0 },
		{ "example.com", DNS_AAAA, DNS_NODATA, 0 },
		{ "sel._domainkey.example.com", DNS_TXT, DNS_OK, 1 },
	};
	struct worker *w = arg;
	size_t i, k;

	for (i = 0; i < T_PER_THREAD; i += 3) {
		struct dns_query *h[3];
		struct dns_result res;
		struct err e;
		struct timespec dl = in_ms(5000);

		for (k = 0; k < 3; k++) {
			h[k] = dns_start(w->r, q[(i + k) % NELEM(q)].qname,
			    q[(i + k) % NELEM(q)].type, &e);
			if (h[k] == NULL) {
				snprintf(w->why, sizeof(w->why), "start: %s",
				    e.msg);
				w->failures++;
			}
		}
		for (k = 0; k < 3; k++) {
			size_t j = (i + k) % NELEM(q);

			if (h[k] == NULL)
				continue;
			if (dns_wait(w->r, h[k], &dl, &res, &e) == -1) {
				snprintf(w->why, sizeof(w->why), "wait: %s",
				    e.msg);
				w->failures++;
				continue;
			}
			if (res.status != q[j].want || res.n != q[j].n) {
				snprintf(w->why, sizeof(w->why), "%s %s: %s "
				    "with %zu records", q[j].qname,
				    dns_type_name(q[j].type),
				    dns_status_name(res.status), res.n);
				w->failures++;
			}
			dns_result_free(&res);
		}
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct worker w[T_THREADS];
	pthread_t tid[T_THREADS];
	struct dns_resolver *r;
	struct err e;
	size_t i;

	(void)state;
	if ((r = new_local(&e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	for (i = 0; i < T_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].r = r;
		assert_int_equal(pthread_create(&tid[i], NULL, worker_run,
		    &w[i]), 0);
	}
	for (i = 0; i < T_THREADS; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < T_THREADS; i++)
		if (w[i].failures > 0)
			fail_msg("thread %zu: %d failures, last: %s", i,
			    w[i].failures, w[i].why);
	dns_resolver_free(r);
}

/*
 * Cancel without waiting: against the silent server (the answer never
 * comes), and at once after starting local lookups (the answer races the
 * cancel: both orders must free everything once, shown by ASan).
 */
static void
test_cancel(void **state)
{
	struct dns_resolver *r;
	struct dns_query *q;
	struct dns_result res;
	struct timespec t0;
	struct err e;
	size_t i;
	int fd;

	(void)state;
	print_message("case: cancel an unanswered query, then free\n");
	r = new_silent(T_TIMEOUT_MS, &fd);
	if ((q = dns_start(r, "x.example.org", DNS_TXT, &e)) == NULL)
		fail_msg("dns_start: %s", e.msg);
	dns_cancel(q);
	dns_cancel(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dns_resolver_free(r);
	print_message("  free took %ld ms\n", ms_since(&t0));
	assert_true(ms_since(&t0) < 2000);
	close(fd);

	print_message("case: cancel racing local answers\n");
	if ((r = new_local(&e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	for (i = 0; i < 500; i++) {
		if ((q = dns_start(r, i % 2 ? "example.com" :
		    "nope.example.com", DNS_TXT, &e)) == NULL)
			fail_msg("dns_start: %s", e.msg);
		if (i % 50 == 0) {
			/* let some answers arrive before the cancel */
			struct timespec ms = { 0, 2 * 1000000L };

			nanosleep(&ms, NULL);
		}
		dns_cancel(q);
	}
	/* the resolver still works after all that */
	if (dns_lookup(r, "example.com", DNS_A, 5000, &res, &e) == -1)
		fail_msg("dns_lookup: %s", e.msg);
	assert_int_equal(res.status, DNS_OK);
	dns_result_free(&res);
	dns_resolver_free(r);
}

/* Free with nothing outstanding: never used, and after answers. */
static void
test_resolver_free(void **state)
{
	struct dns_resolver *r;
	struct dns_result res;
	struct err e;

	(void)state;
	print_message("case: free an unused resolver\n");
	if ((r = new_local(&e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	dns_resolver_free(r);
	print_message("case: free with default options, unused\n");
	if ((r = dns_unbound_new(NULL, &e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	dns_resolver_free(r);
	dns_resolver_free(NULL);
	print_message("case: free after a lookup\n");
	if ((r = new_local(&e)) == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	if (dns_lookup(r, "example.com", DNS_TXT, 5000, &res, &e) == -1)
		fail_msg("dns_lookup: %s", e.msg);
	dns_resolver_free(r);
	/* results are deep copies: valid after the resolver is gone */
	assert_int_equal(res.status, DNS_OK);
	assert_int_equal(res.n, 1);
	assert_memory_equal(res.rr[0].data, "v=spf1 -all", 12);
	dns_result_free(&res);
}

/*
 * A valid trust anchor (the root KSK-2017 DS, RFC 4034 5) loads; local
 * data is answered without validation, so not secure, and without the
 * network. The file lives in a mkdtemp directory (STYLE.md 9).
 */
static void
test_trust_anchor(void **state)
{
	static const char ds[] = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D"
	    "7C65D08458E880409BBC683457104237C7F8EC8D\n";
	char dir[] = "/tmp/inkan-test-XXXXXX", path[64];
	struct dns_unbound_opts o;
	struct dns_resolver *r;
	struct dns_result res;
	struct err e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/root.ds", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(ds, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	memset(&o, 0, sizeof(o));
	o.resolv_conf = "";
	o.trust_anchor_file = path;
	o.local_zones = local_zones;
	o.nlocal_zones = NELEM(local_zones);
	o.local_data = local_data;
	o.nlocal_data = NELEM(local_data);
	r = dns_unbound_new(&o, &e);
	unlink(path);
	rmdir(dir);
	if (r == NULL)
		fail_msg("dns_unbound_new: %s", e.msg);
	if (dns_lookup(r, "example.com", DNS_TXT, 5000, &res, &e) == -1)
		fail_msg("dns_lookup: %s", e.msg);
	assert_int_equal(res.status, DNS_OK);
	assert_false(res.secure);
	dns_result_free(&res);
	dns_resolver_free(r);
}

static void
test_config_errors(void **state)
{
	static const char *const bad_fwd[] = { "not-an-address" };
	static const char *const bad_data[] = { "example.com. IN A x" };
	static const char *const bad_zone[] = { "" };
	static const struct {
		const char		*name;
		const char		*resolv_conf, *ta;
		const char *const	*fwd, *const *data, *const *zone;
		const char		*want;	/* in the message */
	} t[] = {
		{ "bad forwarder", "", NULL, bad_fwd, NULL, NULL,
		    "forwarder \"not-an-address\"" },
		{ "bad local data", "", NULL, NULL, bad_data, NULL,
		    "local data" },
		{ "bad local zone", "", NULL, NULL, NULL, bad_zone,
		    "local zone" },
		{ "missing resolv.conf", "/nonexistent/resolv.conf", NULL,
		    NULL, NULL, NULL, "/nonexistent/resolv.conf" },
		{ "missing trust anchor", "", "/nonexistent/root.key", NULL,
		    NULL, NULL, "/nonexistent/root.key" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		struct dns_unbound_opts o;
		struct dns_resolver *r;
		struct err e;

		print_message("case: %s\n", t[i].name);
		memset(&o, 0, sizeof(o));
		memset(&e, 0, sizeof(e));
		o.resolv_conf = t[i].resolv_conf;
		o.trust_anchor_file = t[i].ta;
		o.forwarders = t[i].fwd;
		o.nforwarders = t[i].fwd != NULL;
		o.local_data = t[i].data;
		o.nlocal_data = t[i].data != NULL;
		o.local_zones = t[i].zone;
		o.nlocal_zones = t[i].zone != NULL;
		r = dns_unbound_new(&o, &e);
		if (r != NULL) {
			dns_resolver_free(r);
			fail_msg("%s: accepted", t[i].name);
		}
		print_message("  %s\n", e.msg);
		assert_non_null(strstr(e.msg, t[i].want));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_data),
		cmocka_unit_test(test_answer_mapping),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_concurrent_timeouts),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_resolver_free),
		cmocka_unit_test(test_trust_anchor),
		cmocka_unit_test(test_config_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
