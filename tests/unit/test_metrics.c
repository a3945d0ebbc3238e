/* SPDX-License-Identifier: ISC */
/*
 * test_metrics.c - unit tests for metrics.c, metrics_http.c, the counting
 * resolver (resolver.c) and the per-message log line and counts of txn.c.
 * The Prometheus text is checked line by line against the exposition
 * format (version 0.0.4); DNS answers come from zone data in memory.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "dns.h"
#include "err.h"
#include "metrics.h"
#include "metrics_http.h"
#include "sockspec.h"
#include "resolver.h"
#include "txn.h"
#include "world.h"

/* The value of the sample "series" (name and labels) in text, or -1. */
static long long
sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;

	while (*p != '\0') {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return -1;
}

static char *
render(void)
{
	struct buf b = BUF_INIT;

	metrics_render(&b);
	assert_false(buf_failed(&b));
	return buf_release(&b);
}

static bool
name_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':' ||
	    (!first && isdigit((unsigned char)c));
}

/*
 * Every sample line is NAME[{LABEL="VALUE",...}] VALUE, its family was
 * declared by # HELP and # TYPE lines first, counters end in _total and
 * histograms have _bucket (ending with le="+Inf"), _sum and _count.
 */
#define CHECK(c)	do {						\
	if (!(c)) {							\
		print_message("bad line: %s\n", line);			\
		fail_msg("%s", #c);					\
	}								\
} while (0)

static void
check_format(const char *text)
{
	char family[128] = "", type[16] = "", line[1024] = "";
	const char *p = text, *nl;
	size_t nsamples = 0;
	bool inf = false;	/* the last bucket seen was le="+Inf" */

	while ((nl = strchr(p, '\n')) != NULL) {
		size_t len = (size_t)(nl - p), i = 0, flen;

		CHECK(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			CHECK(sscanf(line + 7, "%127s", family) == 1);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[128];

			CHECK(sscanf(line + 7, "%127s %15s", name, type) == 2);
			CHECK(strcmp(name, family) == 0);	/* HELP first */
			CHECK(strcmp(type, "counter") == 0 ||
			    strcmp(type, "gauge") == 0 ||
			    strcmp(type, "histogram") == 0);
			if (strcmp(type, "counter") == 0)
				CHECK(strlen(family) > 6 && strcmp(family +
				    strlen(family) - 6, "_total") == 0);
			continue;
		}
		/* a sample of the family just declared */
		flen = strlen(family);
		CHECK(flen > 0);
		CHECK(memcmp(line, family, flen) == 0);
		if (strcmp(type, "histogram") == 0) {
			CHECK(strncmp(line + flen, "_bucket{", 8) == 0 ||
			    strncmp(line + flen, "_sum ", 5) == 0 ||
			    strncmp(line + flen, "_count ", 7) == 0);
			if (strncmp(line + flen, "_sum ", 5) == 0)
				CHECK(inf);
			inf = strstr(line, "_bucket{le=\"+Inf\"} ") != NULL;
		}
		for (i = 0; name_char(line[i], i == 0); i++)
			;
		if (line[i] == '{') {
			for (i++; line[i] != '}';) {
				size_t s = i;

				while (name_char(line[i], i == s))
					i++;
				CHECK(i > s);
				CHECK(memcmp(line + i, "=\"", 2) == 0);
				for (i += 2; line[i] != '"'; i++) {
					CHECK(line[i] != '\0');
					if (line[i] == '\\')
						i++;
				}
				i++;
				if (line[i] == ',')
					i++;
				else
					CHECK(line[i] == '}');
			}
			i++;
		}
		CHECK(line[i] == ' ');
		CHECK(isdigit((unsigned char)line[i + 1]));
		for (i++; line[i] != '\0'; i++)
			CHECK(isdigit((unsigned char)line[i]) ||
			    line[i] == '.');
		nsamples++;
	}
	assert_int_equal(*p, '\0');	/* the text ends with a newline */
	CHECK(nsamples > 0);
}

static void
test_format(void **state)
{
	char *text;

	(void)state;
	metrics_reset();
	metrics_message(TXN_ROLE_SIGN);
	metrics_message(TXN_ROLE_SIGN);
	metrics_message(TXN_ROLE_VERIFY);
	metrics_message(TXN_ROLE_NONE);	/* not a message: not counted */
	metrics_signature("rsa-sha256");
	metrics_signature("ed25519-sha256");
	metrics_signature("ed25519-sha256");
	metrics_signature("rsa-sha1");
	metrics_signature(NULL);
	metrics_dkim(AUTH_PASS);
	metrics_spf(SPF_SOFTFAIL);
	metrics_dmarc(AUTH_FAIL);
	metrics_arc(AUTH_PASS);
	metrics_arc(AUTH_PASS);
	metrics_arc(AUTH_NONE);
	metrics_arc_override();
	metrics_arc_sealed();
	metrics_action(TXN_REJECT);
	metrics_action(TXN_TEMPFAIL);
	metrics_action(TXN_TEMPFAIL);
	metrics_connections(1);
	metrics_connections(1);
	metrics_connections(-1);
	metrics_reload(true);
	metrics_reload(false);
	text = render();
	check_format(text);
	assert_int_equal(sample(text, "inkan_messages_total{role=\"sign\"}"),
	    2);
	assert_int_equal(sample(text, "inkan_messages_total{role=\"verify\"}"),
	    1);
	assert_int_equal(sample(text,
	    "inkan_signatures_total{algorithm=\"rsa-sha256\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_signatures_total{algorithm=\"ed25519-sha256\"}"), 2);
	assert_int_equal(sample(text,
	    "inkan_signatures_total{algorithm=\"other\"}"), 2);
	assert_int_equal(sample(text,
	    "inkan_dkim_results_total{result=\"pass\"}"), 1);
	/* zeros are written, so rate() works from the first scrape */
	assert_int_equal(sample(text,
	    "inkan_dkim_results_total{result=\"fail\"}"), 0);
	/* ... but not words a method never gives (RFC 8601 2.7.1) */
	assert_int_equal(sample(text,
	    "inkan_dkim_results_total{result=\"softfail\"}"), -1);
	assert_int_equal(sample(text,
	    "inkan_spf_results_total{result=\"softfail\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_dmarc_results_total{result=\"fail\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_arc_results_total{result=\"pass\"}"), 2);
	assert_int_equal(sample(text,
	    "inkan_arc_results_total{result=\"none\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_arc_results_total{result=\"fail\"}"), 0);
	/* RFC 8617 10.1: arc has no temperror, no softfail */
	assert_int_equal(sample(text,
	    "inkan_arc_results_total{result=\"temperror\"}"), -1);
	assert_int_equal(sample(text, "inkan_arc_overrides_total"), 1);
	assert_int_equal(sample(text, "inkan_arc_sealed_total"), 1);
	assert_int_equal(sample(text,
	    "inkan_actions_total{action=\"reject\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_actions_total{action=\"tempfail\"}"), 2);
	assert_int_equal(sample(text,
	    "inkan_actions_total{action=\"accept\"}"), 0);
	assert_int_equal(sample(text, "inkan_connections_active"), 1);
	assert_int_equal(sample(text,
	    "inkan_config_reloads_total{result=\"ok\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_config_reloads_total{result=\"failed\"}"), 1);
	assert_non_null(strstr(text, "# TYPE inkan_dns_latency_seconds "
	    "histogram\n"));
	free(text);
}

static void
test_escape(void **state)
{
	static const struct { const char *name, *in, *want; } t[] = {
		{ "plain",		"pass",		"pass" },
		{ "empty",		"",		"" },
		{ "double quote",	"a\"b",		"a\\\"b" },
		{ "backslash",		"a\\b",		"a\\\\b" },
		{ "line feed",		"a\nb",		"a\\nb" },
		{ "all three",		"\\\"\n",	"\\\\\\\"\\n" },
		{ "UTF-8 kept",		"caf\xc3\xa9",	"caf\xc3\xa9" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf b = BUF_INIT;

		print_message("case: %s\n", t[i].name);
		metrics_label_escape(&b, t[i].in);
		assert_string_equal(buf_str(&b), t[i].want);
		buf_free(&b);
	}
}

/* Bucket counts are cumulative; a value on a bound falls in it (le). */
static void
test_histogram(void **state)
{
	static const struct { const char *le; long long want; } t[] = {
		{ "0.0005", 2 }, { "0.001", 3 }, { "0.0025", 4 },
		{ "0.005", 4 }, { "0.1", 4 }, { "1", 5 }, { "25", 5 },
		{ "+Inf", 6 },
	};
	char series[128], *text;
	size_t i;

	(void)state;
	metrics_reset();
	metrics_eom_usec(0);
	metrics_eom_usec(500);		/* exactly 0.0005 */
	metrics_eom_usec(1000);		/* exactly 0.001 */
	metrics_eom_usec(1001);
	metrics_eom_usec(750000);
	metrics_eom_usec(30000000);	/* past the last bound */
	text = render();
	check_format(text);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(series, sizeof(series),
		    "inkan_eom_duration_seconds_bucket{le=\"%s\"}", t[i].le);
		print_message("bucket le=%s\n", t[i].le);
		assert_int_equal(sample(text, series), t[i].want);
	}
	assert_int_equal(sample(text, "inkan_eom_duration_seconds_count"), 6);
	assert_non_null(strstr(text,
	    "\ninkan_eom_duration_seconds_sum 30.752501\n"));
	/* the other histogram is untouched */
	assert_int_equal(sample(text, "inkan_dns_latency_seconds_count"), 0);
	assert_int_equal(sample(text,
	    "inkan_dns_latency_seconds_bucket{le=\"+Inf\"}"), 0);
	free(text);
}

/* Queries through the counting resolver, answered from zone data. */
static void
test_dns_counts(void **state)
{
	static const char zone[] =
	    "ok.example. TXT \"hello\"\n"
	    "slow.example. TIMEOUT\n"
	    "broken.example. SERVFAIL\n";
	static const char *const names[] = { "ok.example", "slow.example",
	    "broken.example", "absent.example", "ok.example" };
	struct dns_resolver *r;
	struct dns_result res;
	struct err e;
	char *text;
	size_t i;

	(void)state;
	metrics_reset();
	r = resolver_counted(dns_zone_from_memory(zone, sizeof(zone) - 1,
	    &e), &e);
	assert_non_null(r);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(dns_lookup(r, names[i], DNS_TXT, 1000, &res,
		    &e), 0);
		dns_result_free(&res);
	}
	/* a cancelled query counts as sent, never as answered */
	dns_cancel(dns_start(r, "ok.example", DNS_TXT, &e));
	dns_resolver_free(r);
	text = render();
	check_format(text);
	assert_int_equal(sample(text, "inkan_dns_queries_total"), 6);
	assert_int_equal(sample(text,
	    "inkan_dns_errors_total{kind=\"timeout\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_dns_errors_total{kind=\"servfail\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_dns_errors_total{kind=\"error\"}"), 0);
	/* zone answers take no time: all five in the first bucket */
	assert_int_equal(sample(text, "inkan_dns_latency_seconds_count"), 5);
	assert_int_equal(sample(text,
	    "inkan_dns_latency_seconds_bucket{le=\"0.0005\"}"), 5);
	free(text);
	/* a resolver that could not be made stays NULL */
	assert_null(resolver_counted(NULL, &e));
}

struct http_case {
	const char	*name, *req;
	int		 code;
};

static void
test_http(void **state)
{
	static const struct http_case t[] = {
		{ "scrape", "GET /metrics HTTP/1.1\r\nHost: x\r\n"
		    "Accept: text/plain\r\n\r\n", 200 },
		{ "HTTP/1.0", "GET /metrics HTTP/1.0\r\n\r\n", 200 },
		{ "LF only", "GET /metrics HTTP/1.1\n\n", 200 },
		{ "query string", "GET /metrics?x=1 HTTP/1.1\r\n\r\n", 200 },
		{ "other path", "GET / HTTP/1.1\r\n\r\n", 404 },
		{ "longer path", "GET /metricsx HTTP/1.1\r\n\r\n", 404 },
		{ "POST", "POST /metrics HTTP/1.1\r\n\r\n", 405 },
		{ "lower-case get", "get /metrics HTTP/1.1\r\n\r\n", 405 },
		{ "HTTP/2", "GET /metrics HTTP/2\r\n\r\n", 400 },
		{ "no version", "GET /metrics\r\n\r\n", 400 },
		{ "extra word", "GET /metrics HTTP/1.1 x\r\n\r\n", 400 },
		{ "no line end", "GET /metrics HTTP/1.1", 400 },
		{ "empty", "", 400 },
		{ "binary", "\x16\x03\x01\x02\x00\x01\xfc\x03\x03", 400 },
	};
	size_t i;

	(void)state;
	metrics_reset();
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf out = BUF_INIT;
		const char *body, *cl;
		char status[32];

		print_message("case: %s\n", t[i].name);
		assert_int_equal(metrics_http_respond(t[i].req,
		    strlen(t[i].req), &out), t[i].code);
		snprintf(status, sizeof(status), "HTTP/1.1 %d ", t[i].code);
		assert_memory_equal(buf_str(&out), status, strlen(status));
		assert_non_null(strstr(buf_str(&out),
		    "\r\nConnection: close\r\n"));
		/* Content-Length is the body's length */
		assert_non_null(body = strstr(buf_str(&out), "\r\n\r\n"));
		body += 4;
		assert_non_null(cl = strstr(buf_str(&out),
		    "\r\nContent-Length: "));
		assert_int_equal(strtoul(cl + 18, NULL, 10),
		    out.len - (size_t)(body - buf_str(&out)));
		if (t[i].code == 200) {
			assert_non_null(strstr(buf_str(&out),
			    "\r\nContent-Type: text/plain; version=0.0.4; "
			    "charset=utf-8\r\n"));
			check_format(body);
		}
		if (t[i].code == 405)
			assert_non_null(strstr(buf_str(&out),
			    "\r\nAllow: GET\r\n"));
		buf_free(&out);
	}
}

static void
test_parse(void **state)
{
	static const struct { const char *spec; int want; } t[] = {
		{ "inet:9894@127.0.0.1", 0 },
		{ "inet:9894@localhost", 0 },
		{ "inet:1@0.0.0.0", 0 },
		{ "inet6:9894@::1", 0 },
		{ "unix:/run/inkan/metrics.sock", 0 },
		{ "local:/run/inkan/metrics.sock", 0 },
		{ "inet:0@127.0.0.1", -1 },
		{ "inet:65536@127.0.0.1", -1 },
		{ "inet:99999999999@127.0.0.1", -1 },
		{ "inet:9894", -1 },
		{ "inet:@127.0.0.1", -1 },
		{ "inet:-1@127.0.0.1", -1 },
		{ "inet:9894@metrics.example.com", -1 },
		{ "inet:9894@::1", -1 },
		{ "inet6:9894@127.0.0.1", -1 },
		{ "unix:run/metrics.sock", -1 },
		{ "tcp:9894@127.0.0.1", -1 },
		{ "9894", -1 },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("spec: %s\n", t[i].spec);
		assert_int_equal(sockspec_parse_address(t[i].spec, &ss, &len, &e),
		    t[i].want);
	}
	print_message("spec: Postfix's spelling, answered with ours\n");
	assert_int_equal(sockspec_parse_address("inet:127.0.0.1:9894", &ss, &len,
	    &e), -1);
	assert_non_null(strstr(e.msg, "write inet:9894@127.0.0.1"));
}

/* One message through the transaction, as the glue would feed it. */
static struct txn *
run(struct world *cfg, const char *ip, const char *mail_from,
    const char *from, struct txn_outcome *out)
{
	static const char body[] = "hello\r\n";
	char value[256];
	struct txn *t;

	assert_non_null(t = txn_new(ip, "client.example.net"));
	txn_helo(t, "client.example.net");
	txn_set_now(t, 1795000000);
	assert_int_equal(txn_mail_from(t, mail_from, NULL, cfg), 0);
	txn_set_queue_id(t, "4XyZ12");
	snprintf(value, sizeof(value), " %s", from);
	assert_int_equal(txn_header(t, "From", 4, value, strlen(value)), 0);
	assert_int_equal(txn_header(t, "Subject", 7, " hi", 3), 0);
	assert_int_equal(txn_eoh(t), 0);
	assert_int_equal(txn_body(t, (const unsigned char *)body,
	    sizeof(body) - 1), 0);
	assert_int_equal(txn_eom(t, out), 0);
	return t;
}

static struct world *
zone_config(void)
{
	static const char zone[] =
	    "example.com. TXT \"v=spf1 -all\"\n"
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n";
	struct buf problems = BUF_INIT;
	struct world *cfg;
	struct err e;

	cfg = world_load(NULL, &problems);
	assert_non_null(cfg);
	buf_free(&problems);
	world_set_resolver(cfg, resolver_counted(
	    dns_zone_from_memory(zone, sizeof(zone) - 1, &e), &e));
	return cfg;
}

/*
 * The per-message log line: one line of key=value fields, free text
 * quoted, and the message's counts.
 */
static void
test_txn_verify(void **state)
{
	static const char want[] = "4XyZ12: role=verify "
	    "client=192.0.2.7 helo=client.example.net from=example.com "
	    "spf=fail smtp.mailfrom=\"\\\"john doe\\\"@example.com\" "
	    "spf_reason=\"";
	struct txn_outcome out;
	struct world *cfg;
	struct txn *t;
	char *text;

	(void)state;
	metrics_reset();
	cfg = zone_config();
	/* a quoted local part with a space: the field is quoted, escaped */
	t = run(cfg, "192.0.2.7", "\"john doe\"@example.com",
	    "<a@example.com>", &out);
	print_message("log: %s\n", out.log_line);
	assert_int_equal(out.action, TXN_REJECT);
	assert_null(strchr(out.log_line, '\n'));
	assert_memory_equal(out.log_line, want, sizeof(want) - 1);
	assert_non_null(strstr(out.log_line, " dkim=none dmarc=fail "
	    "header.from=example.com p=reject dis=reject dmarc_reason=\""));
	assert_null(strstr(out.log_line, " arc"));	/* no ARC, no field */
	assert_non_null(strstr(out.log_line, " action=reject reply=\"550 "
	    "5.7.1 Rejected by the DMARC policy of example.com ("));
	txn_free(t);
	text = render();
	assert_int_equal(sample(text, "inkan_messages_total{role=\"verify\"}"),
	    1);
	assert_int_equal(sample(text, "inkan_messages_total{role=\"sign\"}"),
	    0);
	assert_int_equal(sample(text,
	    "inkan_spf_results_total{result=\"fail\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_dkim_results_total{result=\"none\"}"), 1);
	assert_int_equal(sample(text,
	    "inkan_dmarc_results_total{result=\"fail\"}"), 1);
	/* a message without ARC fields counts as arc none, nothing else */
	assert_int_equal(sample(text,
	    "inkan_arc_results_total{result=\"none\"}"), 1);
	assert_int_equal(sample(text, "inkan_arc_overrides_total"), 0);
	assert_true(sample(text, "inkan_dns_queries_total") >= 2);
	assert_int_equal(sample(text, "inkan_eom_duration_seconds_count"), 1);
	/* actions are counted by the glue, which saw the MTA's answer */
	assert_int_equal(sample(text,
	    "inkan_actions_total{action=\"reject\"}"), 0);
	free(text);
	world_unref(cfg);
}

static void
test_txn_unsigned(void **state)
{
	struct txn_outcome out;
	struct world *cfg;
	struct txn *t;
	char *text;

	(void)state;
	metrics_reset();
	cfg = zone_config();
	t = run(cfg, "127.0.0.1", "alice@example.com",
	    "Alice <alice@example.com>", &out);
	print_message("log: %s\n", out.log_line);
	assert_int_equal(out.action, TXN_ACCEPT);
	assert_string_equal(out.log_line, "4XyZ12: role=sign client=127.0.0.1 "
	    "helo=client.example.net from=example.com dkim=none "
	    "why=\"not signed: internal host 127.0.0.1; no key for "
	    "example.com\" action=accept");
	txn_free(t);
	text = render();
	assert_int_equal(sample(text, "inkan_messages_total{role=\"sign\"}"),
	    1);
	assert_int_equal(sample(text, "inkan_messages_unsigned_total"), 1);
	assert_int_equal(sample(text, "inkan_dns_queries_total"), 0);
	free(text);
	world_unref(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_dns_counts),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_txn_verify),
		cmocka_unit_test(test_txn_unsigned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
