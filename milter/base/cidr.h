/* SPDX-License-Identifier: ISC */
/*
 * cidr.h - lists of IPv4/IPv6 networks (internal_hosts). An IPv4-mapped
 * IPv6 client (::ffff:a.b.c.d) matches IPv4 entries.
 */
#ifndef INKAN_CIDR_H
#define INKAN_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	unsigned	 prefix;
};

struct cidr_list {
	struct cidr	*v;
	size_t		 n;
};

/* Parse "ADDR" or "ADDR/LEN"; 0 or -1 with e. */
int	 cidr_parse(const char *s, struct cidr *out, struct err *e);
/* Append one parsed entry; 0 or -1 (no memory). */
int	 cidr_list_add(struct cidr_list *, const struct cidr *);
/* Does the textual address ip fall in any entry? Unparseable: false. */
bool	 cidr_list_match(const struct cidr_list *, const char *ip);
void	 cidr_list_free(struct cidr_list *);

#endif
