/* SPDX-License-Identifier: ISC */
/*
 * fqdn.h - this host's fully qualified name, for the default authserv-id
 * (config_load). Process-wide: the lookup runs once, on a thread of its
 * own (fqdn.c).
 */
#ifndef INKAN_FQDN_H
#define INKAN_FQDN_H

#include <stddef.h>

/*
 * Fill host (len bytes) with this host's fully qualified name. gethostname()
 * is often a single label on Debian ("mail"), while the MTA, its rules and
 * later filters know the server by the FQDN, so the canonical name the
 * resolver gives for it (/etc/hosts first, as a rule) is taken when it has
 * a dot; the bare host name otherwise (and -n warns), "localhost" last.
 */
void	 fqdn_default(char *host, size_t len);

#endif
