/* SPDX-License-Identifier: ISC */
/*
 * fqdn.h - this host's fully qualified name, for the default authserv-id
 * (config_load). Process-wide: the lookup runs once, on a thread of its
 * own (fqdn.c).
 */
#ifndef INKAN_FQDN_H
#define INKAN_FQDN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Fill host (len bytes) with this host's fully qualified name. gethostname()
 * is often a single label on Debian ("mail"), while the MTA, its rules and
 * later filters know the server by the FQDN, so the canonical name the
 * resolver gives for it (/etc/hosts first, as a rule) is taken when it has
 * a dot; the bare host name otherwise (and -n warns), "localhost" last.
 */
void	 fqdn_default(char *host, size_t len);
/*
 * Is s a host name good for an authserv-id (the MTA's j macro)? What the
 * MTA calls itself is a domain name (RFC 1035 2.3.4: at most 253 bytes,
 * plus a final dot), made of letters, digits, hyphens and dots;
 * underscores are let through, as some hosts carry them. NULL: no.
 */
bool	 fqdn_usable(const char *s);

#endif
