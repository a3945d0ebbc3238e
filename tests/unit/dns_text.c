/* SPDX-License-Identifier: ISC */
/*
 * dns_text.c - DNS answers as one line of text, for the resolver tests
 * (test_dns_zone.c, test_dns_unbound.c) to compare with what they expect;
 * checks the invariants every backend keeps on the way (the NUL after
 * data, A/AAAA lengths, TXT pieces adding up to the whole).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns_text.h"

void
dns_text_rr(struct buf *b, const struct dns_rr *rr)
{
	char addr[INET6_ADDRSTRLEN];
	size_t i, j;

	switch (rr->type) {
	case DNS_A:
	case DNS_AAAA:
		assert_int_equal(rr->len, rr->type == DNS_A ? 4 : 16);
		assert_int_equal(rr->data[rr->len], '\0');
		assert_non_null(inet_ntop(rr->type == DNS_A ? AF_INET :
		    AF_INET6, rr->data, addr, sizeof(addr)));
		buf_adds(b, addr);
		break;
	case DNS_MX:
		buf_printf(b, "%u %s", rr->pref, rr->name);
		break;
	case DNS_PTR:
	case DNS_CNAME:
	case DNS_NS:
		buf_adds(b, rr->name);
		break;
	case DNS_TXT:
	case DNS_SPF:
		assert_int_equal(rr->data[rr->len], '\0');
		for (i = 0, j = 0; i < rr->npieces; i++)
			j += rr->pieces[i].len;
		assert_int_equal(j, rr->len);
		for (i = 0; i < rr->npieces; i++) {
			const struct dns_txt_piece *pc = &rr->pieces[i];

			buf_adds(b, i > 0 ? " \"" : "\"");
			for (j = 0; j < pc->len; j++) {
				unsigned char ch = pc->data[j];

				if (ch < 0x20 || ch >= 0x7f)
					buf_printf(b, "\\%03u", ch);
				else
					buf_addc(b, (char)ch);
			}
			buf_addc(b, '"');
		}
		break;
	}
}

void
dns_text_result(struct buf *b, const struct dns_result *res, bool sorted)
{
	struct buf one[DNS_TEXT_MAX_RR];
	size_t i, j;

	buf_adds(b, dns_status_name(res->status));
	assert_true(res->n <= DNS_TEXT_MAX_RR);
	for (i = 0; i < res->n; i++) {
		buf_init(&one[i]);
		dns_text_rr(&one[i], &res->rr[i]);
	}
	for (i = 1; sorted && i < res->n; i++)
		for (j = i; j > 0 && strcmp(buf_str(&one[j - 1]),
		    buf_str(&one[j])) > 0; j--) {
			struct buf t = one[j];

			one[j] = one[j - 1];
			one[j - 1] = t;
		}
	for (i = 0; i < res->n; i++) {
		buf_adds(b, i == 0 ? " " : " | ");
		buf_adds(b, buf_str(&one[i]));
		buf_free(&one[i]);
	}
	assert_false(buf_failed(b));
}
