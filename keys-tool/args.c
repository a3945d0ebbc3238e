/* SPDX-License-Identifier: ISC */
/*
 * args.c - what every inkan-keys subcommand does the same way with its
 * arguments: the error line on stderr, the checks of a domain name and a
 * selector (so `generate`, `rotate`, `records` and `check` accept and
 * refuse the same names, each refusal with its reason), and the quoting
 * of a word for a command line the tool suggests.
 */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "dns.h"
#include "keys.h"

int
keys_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (cmd != NULL)
		fprintf(stderr, "inkan-keys %s: ", cmd);
	else
		fputs("inkan-keys: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static bool
is_letdig(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/*
 * The labels of name (lower case ASCII, no trailing dot): each 1 to
 * DNS_LABEL_MAX bytes of letters, digits and hyphens, with a letter or
 * digit first and last (RFC 5321 4.1.2: sub-domain = Let-dig [Ldh-str];
 * RFC 1123 2.1). 0, or -1 with the reason in why; rule, if not NULL,
 * follows a refused byte.
 */
static int
labels_ok(const char *name, const char *rule, char *why, size_t whylen)
{
	const char *p = name, *dot;
	size_t n, i;

	for (;;) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0) {
			snprintf(why, whylen, "it has an empty label (a dot at "
			    "the start, or two dots in a row)");
			return -1;
		}
		if (n > DNS_LABEL_MAX) {
			snprintf(why, whylen, "the label '%.*s' is %zu bytes "
			    "long; a label has at most %d", (int)n, p, n,
			    DNS_LABEL_MAX);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (!is_letdig(p[i]) && p[i] != '-') {
				unsigned char b = (unsigned char)p[i];
				const char *sep = rule != NULL ? ": " : "";

				if (rule == NULL)
					rule = "";
				if (b > 0x20 && b < 0x7f)
					snprintf(why, whylen, "'%c' is not "
					    "allowed%s%s", b, sep, rule);
				else
					snprintf(why, whylen, "byte 0x%02x is "
					    "not allowed%s%s", b, sep, rule);
				return -1;
			}
		if (p[0] == '-' || p[n - 1] == '-') {
			snprintf(why, whylen, "the label '%.*s' %s with a "
			    "hyphen", (int)n, p, p[0] == '-' ? "starts" :
			    "ends");
			return -1;
		}
		if (dot == NULL)
			return 0;
		p = dot + 1;
	}
}

static bool
has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static void
fold(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/*
 * A label "xn--..." is an A-label (RFC 5890 2.3.2.1): its Punycode must
 * decode, or the name is a typo that no DNS provider would take. 0, or -1
 * with the reason in why.
 */
static int
a_label_why(const char *name, char *why, size_t whylen)
{
	const char *p;
	char *u = NULL;
	int rc;

	for (p = name; strncmp(p, "xn--", 4) != 0; p++)
		if ((p = strchr(p, '.')) == NULL)
			return 0;	/* no A-label */
	if ((rc = idn2_to_unicode_8z8z(name, &u, 0)) == IDN2_OK) {
		free(u);
		return 0;
	}
	snprintf(why, whylen, "it has an xn-- label that is not a valid "
	    "A-label (%s)", idn2_strerror(rc));
	return -1;
}

/* The reason a domain is refused, or NULL with out filled. */
static const char *
domain_why(const char *cmd, const char *in, char out[KEYS_NAME_SIZE],
    char *why, size_t whylen)
{
	unsigned char bin[16];
	const char *last;
	char *alabel = NULL;
	size_t len = strlen(in);
	int rc;

	if (len == 0)
		return "it is empty";
	if (in[len - 1] == '.') {
		/*
		 * Refused, not stripped: the name becomes a directory and is
		 * written in records, where inkan-keys adds the final dot
		 * itself; one spelling of each domain keeps key_dir simple.
		 */
		snprintf(why, whylen, "drop the final dot (write %.*s; "
		    "inkan-keys adds the dot where zone files need it)",
		    (int)(len - 1 > 253 ? 253 : len - 1), in);
		return why;
	}
	if (in[0] == '[' || strchr(in, ':') != NULL ||
	    inet_pton(AF_INET, in, bin) == 1)
		return "it is an IP address, not a domain name; DKIM, SPF and "
		    "DMARC records are published under a domain name";
	if (has_8bit(in)) {
		/*
		 * An internationalized name is published as its A-label
		 * (RFC 5890 2.3.2.1): IDNA2008 with the UTS #46 mapping,
		 * non-transitional (so "ß" stays "ß", as browsers do).
		 */
		rc = idn2_to_ascii_8z(in, &alabel, IDN2_NFC_INPUT |
		    IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK) {
			snprintf(why, whylen, "it is not a valid "
			    "internationalized domain name (%s); give it in "
			    "UTF-8, or as its xn-- form (A-label)",
			    idn2_strerror(rc));
			return why;
		}
		if (strlen(alabel) >= KEYS_NAME_SIZE) {
			snprintf(why, whylen, "its DNS form %.60s... is %zu "
			    "bytes long; a domain name has at most %d",
			    alabel, strlen(alabel), DNS_NAME_MAX);
			free(alabel);
			return why;
		}
		snprintf(out, KEYS_NAME_SIZE, "%s", alabel);
		free(alabel);
		fold(out);
		fprintf(stderr, "inkan-keys %s: %s is %s in DNS (its A-label, "
		    "RFC 5890); using that\n", cmd, in, out);
	} else {
		if (len > DNS_NAME_MAX) {
			snprintf(why, whylen, "it is %zu bytes long; a domain "
			    "name has at most %d", len, DNS_NAME_MAX);
			return why;
		}
		memcpy(out, in, len + 1);
		fold(out);
	}
	if (labels_ok(out, "a domain name holds letters, digits, hyphens "
	    "and dots", why, whylen) == -1)
		return why;
	if (a_label_why(out, why, whylen) == -1)
		return why;
	if ((last = strrchr(out, '.')) == NULL)
		return "it is a single label: give the mail domain (such as "
		    "example.com), not a top-level domain or a host name";
	/* RFC 3696 2: no top-level domain is all digits ("192.0.2.300") */
	if (all_digits(last + 1, strlen(last + 1)))
		return "its last label is all digits, which no top-level "
		    "domain is (an IP address?)";
	return NULL;
}

int
keys_domain_arg(const char *cmd, const char *in, char out[KEYS_NAME_SIZE])
{
	char why[512];
	const char *w;

	if ((w = domain_why(cmd, in, out, why, sizeof(why))) == NULL)
		return 0;
	return keys_fail(cmd, "'%s' is not a valid domain name: %s", in, w);
}

/*
 * RFC 6376 3.1: selector = sub-domain *( "." sub-domain ), sub-domain from
 * RFC 5321 (Let-dig [Ldh-str]): letters, digits and hyphens, no hyphen at
 * either end of a label, and so no underscore either. DNS would allow
 * more, but a verifier that follows the grammar refuses the signature.
 */
#define SELECTOR_RULE	"a selector is letters, digits and hyphens, in " \
	"labels separated by dots, no label starting or ending with a " \
	"hyphen (RFC 6376 3.1)"

int
keys_selector_arg(const char *cmd, const char *in, char out[KEYS_NAME_SIZE])
{
	char why[512];
	size_t len = strlen(in);

	if (len == 0)
		snprintf(why, sizeof(why), "it is empty");
	else if (in[len - 1] == '.')
		snprintf(why, sizeof(why), "it ends with a dot");
	else if (len > DNS_NAME_MAX)
		snprintf(why, sizeof(why), "it is %zu bytes long", len);
	else {
		memcpy(out, in, len + 1);
		fold(out);
		if (labels_ok(out, NULL, why, sizeof(why)) == 0)
			return 0;
	}
	return keys_fail(cmd, "'%s' is not a valid selector: %s; %s", in, why,
	    SELECTOR_RULE);
}

int
keys_key_name(const char *cmd, const char *sel, const char *domain)
{
	size_t n = strlen(sel) + sizeof("._domainkey.") - 1 + strlen(domain);

	if (n <= DNS_NAME_MAX)
		return 0;
	return keys_fail(cmd, "the record name %s._domainkey.%s would be %zu "
	    "bytes long; DNS names have at most %d: choose a shorter "
	    "selector", sel, domain, n, DNS_NAME_MAX);
}

/* Bytes a shell takes literally outside quotes. */
static bool
shell_safe(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("_./-,:@%+=", *s) !=
		    NULL))
			return false;
	return true;
}

void
keys_shell_word(struct buf *out, const char *s)
{
	if (shell_safe(s)) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, *s);
	}
	buf_addc(out, '\'');
}
