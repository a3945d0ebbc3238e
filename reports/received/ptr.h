/* SPDX-License-Identifier: ISC */
/*
 * ptr.h - the PTR name of a source address, for the summary of received
 * reports (the report formats carry none).
 */
#ifndef INKAN_RCV_PTR_H
#define INKAN_RCV_PTR_H

#include <stddef.h>

struct dns_resolver;

/* Lookups per summary: a domain with more sources gets names for these. */
#define RCV_PTR_MAX		200
#define RCV_PTR_TIMEOUT_MS	2000

/*
 * The first PTR name of address ip (text) into out, or "" when there is
 * none, the lookup fails or ip is not an address. The name is as DNS
 * gave it (no trailing dot); the caller cleans it before printing.
 */
void	 rcv_ptr(struct dns_resolver *, const char *ip, char *out,
	    size_t outlen);

#endif
