/* SPDX-License-Identifier: ISC */
/*
 * null_milter.c - a milter that does nothing but what every milter must:
 * it speaks libmilter, negotiates as inkan does (no replies before end of
 * message, no steps it has no use for), reads every header and body
 * chunk, and adds one header field at end of message. compare.sh runs it
 * beside inkan so the table shows the protocol's own cost per message on
 * this machine: what no filter built on libmilter can go below.
 * Not installed; not a test.
 *
 * usage: null_milter SOCKET   (unix:PATH or inet:PORT@HOST)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0, unsigned long *pf1,
    unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
	    SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_HDR |
	    SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NORCPT | SMFIP_NODATA |
	    SMFIP_NOUNKNOWN | SMFIP_HDR_LEADSPC);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
null_noreply(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

static sfsistat
null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)host;
	(void)sa;
	return null_noreply(ctx);
}

static sfsistat
null_helo(SMFICTX *ctx, char *helo)
{
	(void)helo;
	return null_noreply(ctx);
}

static sfsistat
null_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return null_noreply(ctx);
}

static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name;
	(void)value;
	return null_noreply(ctx);
}

static sfsistat
null_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
	(void)p;
	(void)len;
	return null_noreply(ctx);
}

static sfsistat
null_eom(SMFICTX *ctx)
{
	if (smfi_insheader(ctx, 0, (char *)"X-Null", (char *)" seen") !=
	    MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc d;

	if (argc != 2) {
		fprintf(stderr, "usage: null_milter SOCKET\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = (char *)"null";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS;
	d.xxfi_connect = null_connect;
	d.xxfi_helo = null_helo;
	d.xxfi_envfrom = null_envfrom;
	d.xxfi_header = null_header;
	d.xxfi_eoh = null_noreply;
	d.xxfi_body = null_body;
	d.xxfi_eom = null_eom;
	d.xxfi_negotiate = null_negotiate;
	if (smfi_register(d) != MI_SUCCESS || smfi_setconn(argv[1]) !=
	    MI_SUCCESS || smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "null_milter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
