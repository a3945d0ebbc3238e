/* SPDX-License-Identifier: ISC */
/*
 * fuzz_evaluate.c - libFuzzer target for the whole inbound pipeline: the
 * input is a message as --evaluate reads it, split into header fields
 * and body by the reader --evaluate uses (milter/evaluate/msgread.c), and handed
 * to the txn_* calls the milter glue makes for a client that is not
 * internal (the verify role). Keys come from a fixed zone holding the DKIM key
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
#include "msgread.h"
#include "render_json.h"
#include "txn.h"
#include "world.h"

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

static struct world *
fuzz_config(void)
{
	static struct world *cfg;
	struct buf problems = BUF_INIT;
	struct dns_resolver *res;
	struct err e;

	if (cfg != NULL)
		return cfg;
	if ((cfg = world_load(NULL, &problems)) == NULL) {
		fprintf(stderr, "fuzz_evaluate: config: %s\n",
		    buf_str(&problems));
		abort();
	}
	buf_free(&problems);
	/* the default is the host name: fix it so runs reproduce anywhere */
	free(cfg->cfg->authserv_id);
	if ((cfg->cfg->authserv_id = strdup(FUZZ_AUTHSERV_ID)) == NULL)
		abort();
	res = dns_zone_from_memory(fuzz_zone, sizeof(fuzz_zone) - 1, &e);
	if (res == NULL) {
		fprintf(stderr, "fuzz_evaluate: zone: %s\n", e.msg);
		abort();
	}
	world_set_resolver(cfg, res);
	return cfg;
}

/* The txn records a failing field itself; the pipeline goes on. */
static int
fuzz_field(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	(void)txn_header(arg, name, nlen, value, vlen);
	return 0;
}

static int
fuzz_eoh(void *arg, const char *sep, size_t seplen)
{
	(void)sep;
	(void)seplen;
	return txn_eoh(arg);
}

static int
fuzz_body(void *arg, const unsigned char *p, size_t len)
{
	(void)txn_body(arg, p, len);
	return 0;
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
	static const struct msgread_cb cb = { fuzz_field, fuzz_eoh, fuzz_body };
	struct world *cfg = fuzz_config();
	struct txn_outcome out;
	struct txn *t;
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
		(void)msgread_mem(in, size, &cb, t, NULL);
	}
	memset(&out, 0, sizeof(out));
	(void)txn_eom(t, &out);
	check_outcome(t, &out);
	txn_free(t);
	free(in);
	return 0;
}
