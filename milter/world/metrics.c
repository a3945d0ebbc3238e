/* SPDX-License-Identifier: ISC */
/*
 * metrics.c - counters, gauges and histograms as C11 atomics, and their
 * Prometheus text (see metrics.h). Every label set is a fixed table indexed
 * by an enum, so counting is an array index and one relaxed add: the
 * counters order nothing, and a scrape only needs each value to be whole.
 * Histograms keep one count per bucket (not cumulative) and the sum in
 * microseconds; the cumulative "le" counts and _count are summed when
 * rendered, so _count always equals the +Inf bucket even mid-update.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "metrics.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

typedef _Atomic uint64_t counter;

static void
inc(counter *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t
get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/*
 * Bucket bounds, in microseconds and as written in "le" (so no float is
 * ever printed). From 0.5 ms (an answer from a local cache, an Ed25519
 * signature) to 25 s (past dns_budget's maximum): each step about 2-2.5x.
 */
static const struct {
	uint64_t	 usec;
	const char	*le;
} bounds[] = {
	{ 500, "0.0005" }, { 1000, "0.001" }, { 2500, "0.0025" },
	{ 5000, "0.005" }, { 10000, "0.01" }, { 25000, "0.025" },
	{ 50000, "0.05" }, { 100000, "0.1" }, { 250000, "0.25" },
	{ 500000, "0.5" }, { 1000000, "1" }, { 2500000, "2.5" },
	{ 5000000, "5" }, { 10000000, "10" }, { 25000000, "25" },
};
#define NBOUNDS	NELEM(bounds)

struct hist {
	counter		 bucket[NBOUNDS + 1];	/* the last one is +Inf */
	counter		 sum_usec;
};

static void
hist_observe(struct hist *h, uint64_t usec)
{
	size_t i;

	for (i = 0; i < NBOUNDS && usec > bounds[i].usec; i++)
		;
	inc(&h->bucket[i]);
	atomic_fetch_add_explicit(&h->sum_usec, usec, memory_order_relaxed);
}

/*
 * Label values; the index is the enum's value where there is one. Result
 * words and action names are the one table of each (auth_result_name,
 * spf_result_name, results_action_name), read into these when rendered.
 */
static const char *const roles[] = { "sign", "verify" };
static const char *const algorithms[] = { "rsa-sha256", "ed25519-sha256",
    "other" };
static const char *const dns_kinds[] = { "timeout", "servfail", "error" };
static const char *const reload_results[] = { "ok", "failed" };

enum { DNS_KIND_TIMEOUT, DNS_KIND_SERVFAIL, DNS_KIND_ERROR };

#define NAUTH		(AUTH_PERMERROR + 1)
#define NSPF		(SPF_PERMERROR + 1)
#define NACTIONS	(TXN_DISCARD + 1)

static struct {
	counter		 messages[NELEM(roles)];
	counter		 unsigned_messages;
	counter		 signatures[NELEM(algorithms)];
	counter		 dkim[NAUTH];
	counter		 spf[NSPF];
	counter		 dmarc[NAUTH];
	counter		 arc[NAUTH];
	counter		 arc_overrides;
	counter		 arc_sealed;
	counter		 actions[NACTIONS];
	counter		 dns_queries;
	counter		 dns_errors[NELEM(dns_kinds)];
	struct hist	 dns_latency;
	struct hist	 eom;
	_Atomic int64_t	 connections;
	counter		 reloads[NELEM(reload_results)];
} m;

void
metrics_message(enum txn_role r)
{
	if (r == TXN_ROLE_SIGN)
		inc(&m.messages[0]);
	else if (r == TXN_ROLE_VERIFY)
		inc(&m.messages[1]);
}

void
metrics_unsigned(void)
{
	inc(&m.unsigned_messages);
}

void
metrics_signature(const char *alg)
{
	size_t i;

	for (i = 0; i < NELEM(algorithms) - 1; i++)
		if (alg != NULL && strcmp(alg, algorithms[i]) == 0)
			break;
	inc(&m.signatures[i]);
}

void
metrics_dkim(enum auth_result r)
{
	if ((size_t)r < NAUTH)
		inc(&m.dkim[r]);
}

void
metrics_spf(enum spf_result r)
{
	if ((size_t)r < NSPF)
		inc(&m.spf[r]);
}

void
metrics_dmarc(enum auth_result r)
{
	if ((size_t)r < NAUTH)
		inc(&m.dmarc[r]);
}

void
metrics_arc(enum auth_result r)
{
	if ((size_t)r < NAUTH)
		inc(&m.arc[r]);
}

void
metrics_arc_override(void)
{
	inc(&m.arc_overrides);
}

void
metrics_arc_sealed(void)
{
	inc(&m.arc_sealed);
}

void
metrics_action(enum txn_action a)
{
	if ((size_t)a < NACTIONS)
		inc(&m.actions[a]);
}

void
metrics_eom_usec(uint64_t usec)
{
	hist_observe(&m.eom, usec);
}

void
metrics_dns_query(void)
{
	inc(&m.dns_queries);
}

void
metrics_dns_answer(enum dns_status s, uint64_t usec)
{
	if (s == DNS_TIMEOUT)
		inc(&m.dns_errors[DNS_KIND_TIMEOUT]);
	else if (s == DNS_SERVFAIL)
		inc(&m.dns_errors[DNS_KIND_SERVFAIL]);
	else if (s == DNS_ERROR)
		inc(&m.dns_errors[DNS_KIND_ERROR]);
	hist_observe(&m.dns_latency, usec);
}

void
metrics_dns_failure(void)
{
	inc(&m.dns_errors[DNS_KIND_ERROR]);
}

void
metrics_connections(int delta)
{
	atomic_fetch_add_explicit(&m.connections, delta, memory_order_relaxed);
}

void
metrics_reload(bool ok)
{
	inc(&m.reloads[ok ? 0 : 1]);
}

void
metrics_reset(void)
{
	memset(&m, 0, sizeof(m));
}

void
metrics_label_escape(struct buf *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_adds(out, "\\\\");
		else if (*v == '"')
			buf_adds(out, "\\\"");
		else if (*v == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *v);
	}
}

static void
head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * A counter family: one sample per label value, in table order. Values
 * whose bit is clear in show are left out while they are 0 (DKIM has no
 * softfail, DMARC no neutral: RFC 8601 2.7.1, RFC 9989 11).
 */
static void
family_of(struct buf *out, const char *name, const char *help,
    const char *label, const char *const *values, counter *c, size_t n,
    unsigned int show)
{
	uint64_t v;
	size_t i;

	head(out, name, "counter", help);
	for (i = 0; i < n; i++) {
		v = get(&c[i]);
		if ((show & (1U << i)) == 0 && v == 0)
			continue;
		buf_printf(out, "%s{%s=\"", name, label);
		metrics_label_escape(out, values[i]);
		buf_printf(out, "\"} %" PRIu64 "\n", v);
	}
}

static void
family(struct buf *out, const char *name, const char *help,
    const char *label, const char *const *values, counter *c, size_t n)
{
	family_of(out, name, help, label, values, c, n, ~0U);
}

#define BIT(a)	(1U << (a))
#define DKIM_WORDS	(BIT(AUTH_NONE) | BIT(AUTH_PASS) | BIT(AUTH_FAIL) | \
	BIT(AUTH_POLICY) | BIT(AUTH_NEUTRAL) | BIT(AUTH_TEMPERROR) | \
	BIT(AUTH_PERMERROR))
#define DMARC_WORDS	(BIT(AUTH_NONE) | BIT(AUTH_PASS) | BIT(AUTH_FAIL) | \
	BIT(AUTH_TEMPERROR) | BIT(AUTH_PERMERROR))
/* RFC 8617 10.1: the arc method's results are none, pass and fail */
#define ARC_WORDS	(BIT(AUTH_NONE) | BIT(AUTH_PASS) | BIT(AUTH_FAIL))

static void
single(struct buf *out, const char *name, const char *help, counter *c)
{
	head(out, name, "counter", help);
	buf_printf(out, "%s %" PRIu64 "\n", name, get(c));
}

static void
histogram(struct buf *out, const char *name, const char *help,
    struct hist *h)
{
	uint64_t cum = 0, sum;
	size_t i;

	head(out, name, "histogram", help);
	for (i = 0; i <= NBOUNDS; i++) {
		cum += get(&h->bucket[i]);
		buf_printf(out, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name,
		    i < NBOUNDS ? bounds[i].le : "+Inf", cum);
	}
	sum = get(&h->sum_usec);
	buf_printf(out, "%s_sum %" PRIu64 ".%06" PRIu64 "\n", name,
	    sum / 1000000, sum % 1000000);
	buf_printf(out, "%s_count %" PRIu64 "\n", name, cum);
}

void
metrics_render(struct buf *out)
{
	const char *auth_words[NAUTH], *spf_words[NSPF], *actions[NACTIONS];
	size_t i;

	for (i = 0; i < NAUTH; i++)
		auth_words[i] = auth_result_name((enum auth_result)i);
	for (i = 0; i < NSPF; i++)
		spf_words[i] = spf_result_name((enum spf_result)i);
	for (i = 0; i < NACTIONS; i++)
		actions[i] = results_action_name((enum txn_action)i);
	family(out, "inkan_messages_total",
	    "Messages finished, by role (sign or verify).", "role", roles,
	    m.messages, NELEM(roles));
	single(out, "inkan_messages_unsigned_total",
	    "Messages in the sign role that left without a signature "
	    "(no key for the From domain, or no usable From).",
	    &m.unsigned_messages);
	family(out, "inkan_signatures_total",
	    "DKIM signatures made, by algorithm.", "algorithm", algorithms,
	    m.signatures, NELEM(algorithms));
	family_of(out, "inkan_dkim_results_total",
	    "DKIM results of verified signatures (none: a message without "
	    "any).", "result", auth_words, m.dkim, NELEM(auth_words),
	    DKIM_WORDS);
	family(out, "inkan_spf_results_total",
	    "SPF results of the MAIL FROM identity.", "result", spf_words,
	    m.spf, NELEM(spf_words));
	family_of(out, "inkan_dmarc_results_total",
	    "DMARC results of inbound messages.", "result", auth_words,
	    m.dmarc, NELEM(auth_words), DMARC_WORDS);
	family_of(out, "inkan_arc_results_total",
	    "ARC chain results of inbound messages (none: no ARC fields).",
	    "result", auth_words, m.arc, NELEM(auth_words), ARC_WORDS);
	single(out, "inkan_arc_overrides_total",
	    "DMARC failures whose policy was not applied because a trusted "
	    "ARC sealer (arc_trusted_sealers) vouched for the author.",
	    &m.arc_overrides);
	single(out, "inkan_arc_sealed_total",
	    "ARC Sets added to inbound messages (arc_seal).", &m.arc_sealed);
	family(out, "inkan_actions_total",
	    "What the MTA was told to do with a message.", "action", actions,
	    m.actions, NELEM(actions));
	histogram(out, "inkan_eom_duration_seconds",
	    "Time from the end of a message to inkan's answer.", &m.eom);
	single(out, "inkan_dns_queries_total", "DNS queries started.",
	    &m.dns_queries);
	family(out, "inkan_dns_errors_total",
	    "DNS queries that got no answer: timeout, SERVFAIL, or a "
	    "resolver error.", "kind", dns_kinds, m.dns_errors,
	    NELEM(dns_kinds));
	histogram(out, "inkan_dns_latency_seconds",
	    "Time from sending a DNS query to its answer or timeout.",
	    &m.dns_latency);
	head(out, "inkan_connections_active", "gauge",
	    "MTA connections open now.");
	buf_printf(out, "inkan_connections_active %" PRId64 "\n",
	    atomic_load_explicit(&m.connections, memory_order_relaxed));
	family(out, "inkan_config_reloads_total",
	    "Configuration reloads (SIGHUP), applied or refused.", "result",
	    reload_results, m.reloads, NELEM(reload_results));
}
