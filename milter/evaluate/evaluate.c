/* SPDX-License-Identifier: ISC */
/*
 * evaluate.c - run one message file through the same txn_* calls the milter
 * glue makes, and print what the MTA would have been told: the message as
 * delivered (added fields on top) or, with --json, one JSON object.
 * The message is split by msgread.c, the way an MTA does, and the body is
 * streamed in chunks and never held whole. A field name keeps any white
 * space before its colon ("From : x", RFC 5322 4.5 obsolete syntax):
 * Postfix and Sendmail delete it before a milter sees the field, an MTA
 * that does not would pass it on, and txn treats both alike.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "evaluate.h"
#include "hdr.h"
#include "json.h"
#include "log.h"
#include "msgread.h"
#include "render_json.h"
#include "txn.h"
#include "world.h"

struct eval_opts {
	const char	*msgfile;
	const char	*config;
	const char	*dns_zone;
	const char	*client_ip;
	const char	*helo;
	const char	*mail_from;
	const char	*auth_user;
	const char	*daemon_name;
	const char	*rcpt;
	long long	 now;
	int		 json;
};

static int
usage(void)
{
	fprintf(stderr, "usage: inkan-milter --evaluate MSGFILE [--config|-c FILE] "
	    "[--dns-zone ZONEFILE]\n"
	    "\t--client-ip IP --helo NAME --mail-from ADDR [--rcpt ADDR]\n"
	    "\t[--auth-user USER] [--daemon-name NAME] [--now EPOCH] [--json]\n");
	return 2;
}

static int
parse_opts(int argc, char **argv, struct eval_opts *o)
{
	static const struct option longopts[] = {
		{ "evaluate", required_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' },
		{ "dns-zone", required_argument, NULL, 'z' },
		{ "client-ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'h' },
		{ "mail-from", required_argument, NULL, 'm' },
		{ "rcpt", required_argument, NULL, 'r' },
		{ "auth-user", required_argument, NULL, 'a' },
		{ "daemon-name", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	/* -c as for the daemon: README's example and habit both write it */
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e': o->msgfile = optarg; break;
		case 'c': o->config = optarg; break;
		case 'z': o->dns_zone = optarg; break;
		case 'i': o->client_ip = optarg; break;
		case 'h': o->helo = optarg; break;
		case 'm': o->mail_from = optarg; break;
		case 'r': o->rcpt = optarg; break;
		case 'a': o->auth_user = optarg; break;
		case 'd': o->daemon_name = optarg; break;
		case 'n': {
			char *end;

			o->now = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->now <= 0) {
				fprintf(stderr, "inkan-milter: --now wants seconds "
				    "since 1970\n");
				return -1;
			}
			break;
		}
		case 'j': o->json = 1; break;
		default: return -1;
		}
	}
	if (optind != argc || o->msgfile == NULL || o->client_ip == NULL ||
	    o->helo == NULL || o->mail_from == NULL)
		return -1;
	return 0;
}

static int
eval_field(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	return txn_header(arg, name, nlen, value, vlen);
}

static int
eval_eoh(void *arg, const char *sep, size_t seplen)
{
	(void)sep;
	(void)seplen;
	return txn_eoh(arg);
}

/* Failures are the txn's to record: the body goes on to the end. */
static int
eval_body(void *arg, const unsigned char *p, size_t len)
{
	(void)txn_body(arg, p, len);
	return 0;
}

static void
print_json(const struct txn *t, const struct txn_outcome *out)
{
	struct buf j = BUF_INIT;
	size_t i;

	buf_adds(&j, "{\"action\": ");
	json_str(&j, results_action_name(out->action));
	buf_adds(&j, ", \"reply\": ");
	if (out->reply_code != NULL) {
		struct buf r = BUF_INIT;

		buf_printf(&r, "%s %s %s", out->reply_code, out->reply_xcode,
		    out->reply_text);
		json_str(&j, buf_str(&r));
		buf_free(&r);
	} else
		buf_adds(&j, "null");
	buf_adds(&j, ", \"spf\": ");
	render_json_spf(txn_results(t), &j, false);
	buf_adds(&j, ", \"spf_helo\": ");
	render_json_spf(txn_results(t), &j, true);
	buf_adds(&j, ", \"dkim\": ");
	render_json_dkim(txn_results(t), &j);
	buf_adds(&j, ", \"dmarc\": ");
	render_json_dmarc(txn_results(t), &j);
	buf_adds(&j, ", \"arc\": ");
	render_json_arc(txn_results(t), &j);
	buf_adds(&j, ", \"role\": ");
	json_str(&j, txn_role(t) == TXN_ROLE_SIGN ? "sign" : "verify");
	buf_adds(&j, ", \"signed\": ");
	render_json_signed(txn_results(t), &j);
	buf_adds(&j, ", \"added_headers\": [");
	for (i = 0; i < out->nadded; i++) {
		buf_adds(&j, i == 0 ? "[" : ", [");
		json_str(&j, out->added[i].name);
		buf_adds(&j, ", ");
		json_str(&j, out->added[i].value);
		buf_addc(&j, ']');
	}
	buf_adds(&j, "], \"deleted_headers\": [");
	for (i = out->ndelete; i > 0; i--) {
		buf_adds(&j, i == out->ndelete ? "[" : ", [");
		json_str(&j, out->delete_name);
		buf_printf(&j, ", %zu]", out->delete_idx[i - 1]);
	}
	buf_adds(&j, "], \"dns\": ");
	render_json_dns(txn_results(t), &j);
	buf_adds(&j, ", \"log\": ");
	json_str(&j, out->log_line);
	buf_adds(&j, "}\n");
	fputs(buf_str(&j), stdout);
	buf_free(&j);
}

/* An added field as it will stand in the message, in the file's line ends. */
static void
print_field(const struct txn_added *a, bool crlf)
{
	const char *p;

	printf("%s:", a->name);
	for (p = a->value; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n' && crlf)
			putchar('\r');
		putchar(*p);
	}
	fputs(crlf ? "\r\n" : "\n", stdout);
}

static bool
deleted(const struct txn_outcome *out, size_t k)
{
	size_t i;

	for (i = 0; i < out->ndelete; i++)
		if (out->delete_idx[i] == k)
			return true;
	return false;
}

/* The message as print_message writes it. */
struct eval_print {
	const struct txn_outcome *out;
	size_t		 nlen;	/* of out->delete_name; 0: none */
	size_t		 k;	/* fields named so, so far */
};

/* A field as it stands in the file, unless the MTA would delete it. */
static int
print_field_raw(void *arg, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct eval_print *pr = arg;

	/* named as txn names it: "Name :" too (hdr_name_len) */
	if (pr->nlen > 0 && hdr_name_len(name, nlen) == pr->nlen &&
	    strncasecmp(name, pr->out->delete_name, pr->nlen) == 0 &&
	    deleted(pr->out, ++pr->k))
		return 0;
	fwrite(name, 1, (size_t)(value + vlen - name), stdout);
	return 0;
}

static int
print_eoh(void *arg, const char *sep, size_t seplen)
{
	(void)arg;
	fwrite(sep, 1, seplen, stdout);
	return 0;
}

static int
print_body(void *arg, const unsigned char *p, size_t len)
{
	(void)arg;
	fwrite(p, 1, len, stdout);
	return 0;
}

/*
 * The original message minus the fields the MTA would delete, split by
 * the reader that fed the txn, so the fields counted are the same.
 */
static void
print_message(FILE *f, const struct txn_outcome *out)
{
	static const struct msgread_cb cb = { print_field_raw, print_eoh,
	    print_body };
	struct eval_print pr;

	pr.out = out;
	pr.nlen = out->delete_name != NULL ? strlen(out->delete_name) : 0;
	pr.k = 0;
	(void)msgread_file(f, &cb, &pr, NULL);
}

int
evaluate_main(int argc, char **argv)
{
	struct eval_opts o;
	static const struct msgread_cb cb = { eval_field, eval_eoh, eval_body };
	struct buf problems = BUF_INIT;
	struct txn_outcome out;
	struct world *w;
	struct txn *t;
	size_t i;
	FILE *f;
	bool crlf = false;
	int rc = 0;

	if (parse_opts(argc, argv, &o) == -1)
		return usage();
	log_init("inkan-milter", true, LOG_MAIL);
	if ((w = world_load(o.config, &problems)) == NULL) {
		fprintf(stderr, "%s", buf_failed(&problems) ? "out of memory\n" :
		    buf_str(&problems));
		buf_free(&problems);
		return 2;
	}
	buf_free(&problems);
	if (o.dns_zone != NULL) {
		struct dns_resolver *res;
		struct err e;

		if ((res = dns_zone_open(o.dns_zone, &e)) == NULL) {
			fprintf(stderr, "inkan-milter: %s\n", e.msg);
			world_unref(w);
			return 2;
		}
		world_set_resolver(w, res);
	}
	if ((f = fopen(o.msgfile, "rb")) == NULL) {
		fprintf(stderr, "inkan-milter: %s: %s\n", o.msgfile,
		    strerror(errno));
		world_unref(w);
		return 2;
	}
	if ((t = txn_new(o.client_ip, NULL)) == NULL) {
		fprintf(stderr, "inkan-milter: out of memory\n");
		fclose(f);
		world_unref(w);
		return 2;
	}
	txn_helo(t, o.helo);
	txn_set_daemon_name(t, o.daemon_name);
	if (o.now > 0)
		txn_set_now(t, (time_t)o.now);
	/* Failures inside the pipeline are recorded by the txn and end as a
	 * tempfail outcome at end of message, as they would in the daemon. */
	if (txn_mail_from(t, o.mail_from, o.auth_user, w) == 0)
		(void)msgread_file(f, &cb, t, &crlf);
	if (ferror(f)) {
		fprintf(stderr, "inkan-milter: %s: read error\n", o.msgfile);
		rc = 2;
	}
	txn_eom(t, &out);
	if (rc == 0 && o.json)
		print_json(t, &out);
	else if (rc == 0) {
		for (i = 0; i < out.nadded; i++)
			print_field(&out.added[i], crlf);
		rewind(f);
		print_message(f, &out);
	}
	if (out.log_line != NULL)
		log_info("%s", out.log_line);
	txn_free(t);
	fclose(f);
	world_unref(w);
	return rc;
}
