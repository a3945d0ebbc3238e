/* SPDX-License-Identifier: ISC */
/*
 * fuzz_evaluate.c - libFuzzer target for the whole inbound pipeline: the
 * input is a message as --evaluate reads it (milter/evaluate.c), split
 * into header fields and body the way an MTA does, and handed to the
 * txn_* calls the milter glue makes for a client that is not internal
 * (the verify role). Keys come from a fixed zone holding the DKIM key
 * records of the verification corpus (tests/data/verify/zone), so the
 * corpus's signed messages reach the signature checks; time is fixed at
 * the corpus's evaluation time, and the authserv-id is fixed (forged
 * Authentication-Results fields claiming it get deleted). Checks what
 * goes back to the MTA: a valid action, added fields that are folded
 * only with CRLF TAB and carry no other control byte (no header
 * injection), deletions numbered from 1 in rising order (the glue
 * applies them from the last), one log line and JSON without raw control
 * bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "dns.h"
#include "err.h"
#include "render_json.h"
#include "txn.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CLIENT_IP	"192.0.2.1"
#define FUZZ_HELO	"mail.example.net"
#define FUZZ_MAIL_FROM	"alice@example.net"
#define FUZZ_AUTHSERV_ID "mx.example.com"
#define FUZZ_NOW	1795000000	/* tests/data/verify/README */

/* Key records from tests/data/verify/zone, plus DNS failures. */
static const char fuzz_zone[] =
    "rsa._domainkey.example.com. 3600 IN TXT (\n"
    "\t\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB"
    "CgKCAQEAqiULfBvApKlY1RtY01cLzPR3ZxDC+DpljzfezQvFaakPX2Qo"
    "Z2Ypbtpz8mO7KGqBcOSBk7XJQ25Id5ToWjX0jLrnOzvSvh2hDXGtb/oW"
    "u5TmJts+w1LrRjs21Kigj9U3gB9jgvBNmzysl6m7t0OZ6VjdoSs0ve52"
    "zwwlnEdJLMBQz1FHcRPKprO48pCs\"\n"
    "\t\"HzfN+p6XI0UVKKJble7P+OEdxAmHrLmy6CyI3ovE/+7Ft3FhZ1T6ao"
    "8xNbPrk0Hpnd9RPwRX8qe5bqT2+du9KxA7/FKStWlJjsLXRzBYrQjhym"
    "IsuVT+nVMrZ2N5j3fJSzMIAxLdiYZjL6bB15vOeZzUTQIDAQAB\" )\n"
    "alias._domainkey.example.com. 3600 IN CNAME rsa._domaink"
    "ey.example.com.\n"
    "ed._domainkey.example.com. 300 IN TXT \"v=DKIM1; k=ed2551"
    "9; p=Ui6rmYguUcL4teAAn8P9aNF8uoj4khMfu/8B3KhC01U=\"\n"
    "rsa1024._domainkey.example.org. 86400 IN TXT \"v=DKIM1; p"
    "=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC5jNwabBYgTm1fNvS"
    "e9ztGneJ2dPkbksNgi2OkFxR5iNgE+ZgU7IHL9CgKjKldpe5NMOxBi6d"
    "YL833+LcEJ9MM0B70e4HPnpwnLBgsfxgiA7J8+13zU9yiNs2ua0vEqOM"
    "P97IA/XboqheHHoYJFe8odOlAIFIRErfW4I/xNT741wIDAQAB\"\n"
    "odkim._domainkey.example.net. IN TXT (\n"
    "\t\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB"
    "CgKCAQEAqiULfBvApKlY1RtY01cLzPR3ZxDC+DpljzfezQvFaakPX2Qo"
    "Z2Ypbtpz8mO7KGqBcOSBk7XJQ25Id5ToWjX0jLrnOzvSvh2hDXGtb/oW"
    "u5TmJts+w1LrRjs21Kigj9U3gB9jgvBNmzysl6m7t0OZ6VjdoSs0ve52"
    "zwwlnEdJLMBQz1FHcRPKprO48pCs\"\n"
    "\t\"HzfN+p6XI0UVKKJble7P+OEdxAmHrLmy6CyI3ovE/+7Ft3FhZ1T6ao"
    "8xNbPrk0Hpnd9RPwRX8qe5bqT2+du9KxA7/FKStWlJjsLXRzBYrQjhym"
    "IsuVT+nVMrZ2N5j3fJSzMIAxLdiYZjL6bB15vOeZzUTQIDAQAB\" )\n"
    "odkim-ed._domainkey.example.net. IN TXT \"v=DKIM1; k=ed25"
    "519; p=Ui6rmYguUcL4teAAn8P9aNF8uoj4khMfu/8B3KhC01U=\"\n"
    "revoked._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa; "
    "p=\"\n"
    "timeout._domainkey.example.com. TIMEOUT\n"
    "servfail._domainkey.example.com. SERVFAIL\n"
    "nodata._domainkey.example.com. 300 IN A 192.0.2.1\n";

static struct config *
fuzz_config(void)
{
	static struct config *cfg;
	struct buf problems = BUF_INIT;
	struct dns_resolver *res;
	struct err e;

	if (cfg != NULL)
		return cfg;
	if ((cfg = config_load(NULL, &problems)) == NULL) {
		fprintf(stderr, "fuzz_evaluate: config: %s\n",
		    buf_str(&problems));
		abort();
	}
	buf_free(&problems);
	/* the default is the host name: fix it so runs reproduce anywhere */
	free(cfg->authserv_id);
	if ((cfg->authserv_id = strdup(FUZZ_AUTHSERV_ID)) == NULL)
		abort();
	res = dns_zone_from_memory(fuzz_zone, sizeof(fuzz_zone) - 1, &e);
	if (res == NULL) {
		fprintf(stderr, "fuzz_evaluate: zone: %s\n", e.msg);
		abort();
	}
	config_set_resolver(cfg, res);
	return cfg;
}

/* One line of p..end, its line end included; its length. */
static size_t
line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

/* Strip the line end (as evaluate.c's chomp()). */
static size_t
chomp(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

static void
flush_field(struct txn *t, const char *field, size_t len)
{
	const char *colon;

	if (len == 0)
		return;
	colon = memchr(field, ':', len);
	(void)txn_header(t, field, (size_t)(colon - field), colon + 1,
	    len - (size_t)(colon - field) - 1);
}

/*
 * Feed the header block as evaluate.c's feed_headers() does: a line that
 * starts with white space continues the field before it, an empty line
 * ends the block, and so does a line with no colon (it is body). A field
 * is contiguous in the input, so it is a view. Returns where the body
 * starts.
 */
static const char *
feed_headers(struct txn *t, const char *p, const char *end)
{
	const char *field = NULL;
	size_t flen = 0;

	while (p < end) {
		size_t len = line_len(p, end), clen = chomp(p, len);

		if (clen == 0) {
			p += len;	/* the empty line: body follows */
			break;
		}
		if ((p[0] == ' ' || p[0] == '\t') && flen > 0) {
			flen += len;	/* continuation */
			p += len;
			continue;
		}
		flush_field(t, field, flen);
		flen = 0;
		if (memchr(p, ':', clen) == NULL)
			break;		/* not a field: the body starts here */
		field = p;
		flen = len;
		p += len;
	}
	flush_field(t, field, flen);
	return p;
}

/* A value as the MTA will insert it: " text", folded with CRLF TAB. */
static void
check_added(const struct txn_added *a)
{
	const char *v = a->value;
	size_t i, len;

	if (a->name == NULL || v == NULL || a->name[0] == '\0' || v[0] != ' ')
		abort();
	for (i = 0; a->name[i] != '\0'; i++)
		if (a->name[i] <= ' ' || a->name[i] == ':' ||
		    a->name[i] == 0x7f)
			abort();
	len = strlen(v);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\r') {
			if (i + 2 >= len || v[i + 1] != '\n' ||
			    v[i + 2] != '\t')
				abort();
			i += 2;
		} else if ((c < ' ' && c != '\t') || c == 0x7f)
			abort();
	}
}

static void
check_outcome(const struct txn *t, const struct txn_outcome *out)
{
	struct buf j = BUF_INIT;
	size_t i;

	if ((unsigned int)out->action > TXN_DISCARD || out->log_line == NULL ||
	    out->nadded > TXN_MAX_ADDED)
		abort();
	if (strchr(out->log_line, '\n') != NULL ||
	    strchr(out->log_line, '\r') != NULL)
		abort();
	for (i = 0; i < out->nadded; i++)
		check_added(&out->added[i]);
	if (out->ndelete > 0 && (out->delete_name == NULL ||
	    out->delete_idx == NULL))
		abort();
	for (i = 0; i < out->ndelete; i++)
		if (out->delete_idx[i] == 0 ||
		    (i > 0 && out->delete_idx[i] <= out->delete_idx[i - 1]))
			abort();
	render_json_dkim(txn_results(t), &j);
	render_json_signed(txn_results(t), &j);
	render_json_dns(txn_results(t), &j);
	for (i = 0; !buf_failed(&j) && i < j.len; i++)
		if ((unsigned char)j.data[i] < ' ')
			abort();
	buf_free(&j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = fuzz_config();
	struct txn_outcome out;
	struct txn *t;
	const char *body;
	char *in;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	if ((t = txn_new(FUZZ_CLIENT_IP, NULL)) == NULL) {
		free(in);
		return 0;
	}
	txn_helo(t, FUZZ_HELO);
	if (txn_mail_from(t, FUZZ_MAIL_FROM, NULL, cfg) == 0) {
		if (txn_role(t) != TXN_ROLE_VERIFY) {
			fprintf(stderr, "fuzz_evaluate: %s is not external "
			    "with the default config\n", FUZZ_CLIENT_IP);
			abort();
		}
		txn_set_now(t, FUZZ_NOW);
		body = feed_headers(t, in, in + size);
		if (txn_eoh(t) == 0 && body < in + size)
			(void)txn_body(t, (const unsigned char *)body,
			    (size_t)(in + size - body));
	}
	memset(&out, 0, sizeof(out));
	(void)txn_eom(t, &out);
	check_outcome(t, &out);
	txn_free(t);
	free(in);
	return 0;
}
