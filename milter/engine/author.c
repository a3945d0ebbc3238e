/* SPDX-License-Identifier: ISC */
/*
 * author.c - the message's author identity from its From field (see
 * author.h).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "author.h"
#include "dns.h"

/*
 * The author domain: that of the one From field (RFC 5322 3.6 allows one;
 * "From :" is one too, 4.5). A field with several addresses (3.6.2) has
 * one author domain when every address is in it: RFC 9989 5.3.1 proceeds
 * with DMARC then, and exempts from DMARC a From field whose addresses are
 * in different domains; such mail is left to local policy (author_policy).
 * RFC 5322 3.6.2 wants a Sender field with several authors; its absence is
 * not held against the message: it leaves no doubt about the one domain
 * DMARC evaluates, and a Sender field, authenticated by nothing, would
 * prove nothing.
 */
int
author_identity(const struct hdr_list *hdrs, char *local, size_t llen,
    char *domain, size_t dlen, struct buf *why)
{
	struct addr_list al;
	const struct addr *a;
	const char *v;
	size_t n, vlen, i;
	long idx;

	if (hdrs->overflow) {
		buf_printf(why, "header block exceeds inkan's limits");
		return -1;
	}
	n = hdr_list_count(hdrs, "From");
	if (n != 1) {
		buf_printf(why, n == 0 ? "no From header field" :
		    "%zu From header fields", n);
		return -1;
	}
	idx = hdr_list_find(hdrs, "From", 0);
	v = hdr_field_value(&hdrs->f[idx], &vlen);
	if (addr_parse_list(v, vlen, &al) == -1) {
		buf_printf(why, "From field does not parse: %s", al.err);
		return -1;
	}
	if (al.n == 0) {
		buf_printf(why, "From field has no address");
		return -1;
	}
	for (i = 0; i < al.n; i++) {
		a = &al.a[i];
		if (!addr_domain_valid(a->domain, a->domain_len) ||
		    a->domain_len >= dlen) {
			buf_printf(why,
			    "From domain is not a valid domain name");
			return -1;
		}
		/* valid domains are LDH: safe to name in a reply */
		if (!dns_name_equal(a->domain, a->domain_len, al.a[0].domain,
		    al.a[0].domain_len)) {
			buf_printf(why, "From field has addresses in "
			    "different domains (%.*s, %.*s)",
			    (int)al.a[0].domain_len, al.a[0].domain,
			    (int)a->domain_len, a->domain);
			return -1;
		}
	}
	a = &al.a[0];
	if (a->local_len >= llen) {
		buf_printf(why, "From address is too long");
		return -1;
	}
	memcpy(local, a->local, a->local_len);
	local[a->local_len] = '\0';
	for (i = 0; i < a->domain_len; i++)
		domain[i] = (char)tolower((unsigned char)a->domain[i]);
	domain[i] = '\0';
	if (i > 0 && domain[i - 1] == '.')
		domain[i - 1] = '\0';
	return 0;
}

