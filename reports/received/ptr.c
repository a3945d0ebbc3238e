/* SPDX-License-Identifier: ISC */
/*
 * ptr.c - reverse lookups of source addresses: the in-addr.arpa name of
 * an IPv4 address (RFC 1035 3.5), the nibbles under ip6.arpa of an IPv6
 * one (RFC 3596 2.5), asked through the program's resolver (the network
 * through libunbound, or a --dns-zone file). The name is only shown: it
 * is not forward-confirmed and decides nothing.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "err.h"
#include "ptr.h"

void
rcv_ptr(struct dns_resolver *res, const char *ip, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	char name[80], *p = name;
	struct dns_result r;
	struct err e;
	size_t i;
	int n;

	out[0] = '\0';
	if (inet_pton(AF_INET, ip, a) == 1)
		snprintf(name, sizeof(name), "%u.%u.%u.%u.in-addr.arpa", a[3],
		    a[2], a[1], a[0]);
	else if (inet_pton(AF_INET6, ip, a) == 1) {
		for (i = 16; i-- > 0;) {
			*p++ = hex[a[i] & 0xf];
			*p++ = '.';
			*p++ = hex[a[i] >> 4];
			*p++ = '.';
		}
		strcpy(p, "ip6.arpa");
	} else
		return;
	dns_result_init(&r);
	if (dns_lookup(res, name, DNS_PTR, RCV_PTR_TIMEOUT_MS, &r, &e) == 0 &&
	    r.status == DNS_OK)
		for (i = 0; i < r.n; i++)
			if (r.rr[i].type == DNS_PTR && r.rr[i].name != NULL) {
				n = snprintf(out, outlen, "%s", r.rr[i].name);
				if (n < 0 || (size_t)n >= outlen)
					out[0] = '\0';	/* cut: show none */
				break;
			}
	dns_result_free(&r);
}
