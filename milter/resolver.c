/* SPDX-License-Identifier: ISC */
/*
 * resolver.c - build the libunbound resolver from the configuration:
 * dns_forwarders (or /etc/resolv.conf), dns_trust_anchor for DNSSEC,
 * dns_timeout per query. The per-message budget (dns_budget) is applied by
 * the transaction as a deadline on each wait.
 */
#include <stddef.h>

#include "config.h"
#include "dns_unbound.h"
#include "resolver.h"

struct dns_resolver *
dns_system_resolver(const struct config *c, struct err *e)
{
	struct dns_unbound_opts o = { 0 };

	o.resolv_conf = NULL;
	o.forwarders = (const char *const *)c->dns_forwarders.v;
	o.nforwarders = c->dns_forwarders.n;
	o.trust_anchor_file = *c->dns_trust_anchor != '\0' ?
	    c->dns_trust_anchor : NULL;
	o.query_timeout_ms = (unsigned int)c->dns_timeout;
	return dns_unbound_new(&o, e);
}
