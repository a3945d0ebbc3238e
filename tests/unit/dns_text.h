/* SPDX-License-Identifier: ISC */
/*
 * dns_text.h - DNS answers as text for the resolver tests: a record is
 * its address, "pref name", its name, or its TXT strings each in quotes
 * with bytes outside printable ASCII as \DDD; an answer is "STATUS" or
 * "STATUS rr | rr | ...". Fails the running cmocka test when a record
 * breaks an invariant of struct dns_rr.
 */
#ifndef INKAN_TEST_DNS_TEXT_H
#define INKAN_TEST_DNS_TEXT_H

#include <stdbool.h>

#include "buf.h"
#include "dns.h"

/* Answers in the tests have at most this many records. */
#define DNS_TEXT_MAX_RR	16

void	 dns_text_rr(struct buf *, const struct dns_rr *);
/* sorted: records in byte order (libunbound may reorder a set). */
void	 dns_text_result(struct buf *, const struct dns_result *, bool sorted);

#endif
