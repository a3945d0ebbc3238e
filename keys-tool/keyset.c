/* SPDX-License-Identifier: ISC */
/*
 * keyset.c - load the signing keys inkan holds for one domain, through the
 * daemon's configuration and key store (no key parsing here), and write
 * TXT records in zone-file form for `records`.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dns.h"
#include "keys.h"
#include "keystore.h"

static void
print_problems(const struct buf *b)
{
	if (b->len > 0)
		fprintf(stderr, "%s%s", buf_str(b),
		    b->data[b->len - 1] == '\n' ? "" : "\n");
}

int
keyset_load(struct keyset *s, const char *config, const char *dir,
    const char *domain)
{
	struct buf problems = BUF_INIT;
	struct keystore *ks;

	memset(s, 0, sizeof(*s));
	if (config != NULL && dir != NULL) {
		fprintf(stderr, "inkan-keys: give --config or --dir, not "
		    "both\n");
		return -1;
	}
	if (config != NULL) {
		if ((s->cfg = config_load(config, &problems)) == NULL) {
			print_problems(&problems);
			fprintf(stderr, "inkan-keys: cannot use %s (see "
			    "above)\n", config);
			buf_free(&problems);
			return -1;
		}
		ks = s->cfg->keys;
	} else if (dir != NULL) {
		if ((s->ks = keystore_new()) == NULL ||
		    keystore_load_dir(s->ks, dir, &problems) == -1) {
			fprintf(stderr, "inkan-keys: out of memory\n");
			buf_free(&problems);
			keyset_free(s);
			return -1;
		}
		print_problems(&problems);
		ks = s->ks;
	} else
		return 0;
	buf_free(&problems);
	/*
	 * "postmaster" stands for any sender of the domain; signing tables
	 * that give keys per local part are matched for that address only.
	 */
	s->n = keystore_lookup(ks, "postmaster", domain, false, s->k,
	    KEYSET_MAX);
	return 0;
}

void
keyset_free(struct keyset *s)
{
	if (s->cfg != NULL)
		config_unref(s->cfg);
	keystore_free(s->ks);
	memset(s, 0, sizeof(*s));
}

void
keys_zone_txt(struct buf *out, const char *name, const char *value)
{
	size_t len = strlen(value), off = 0, n, i;

	buf_printf(out, "%s. IN TXT", name);
	if (len > DNS_TXT_STRING_MAX)
		buf_adds(out, " (");
	do {
		n = len - off < DNS_TXT_STRING_MAX ? len - off :
		    DNS_TXT_STRING_MAX;
		buf_adds(out, " \"");
		for (i = 0; i < n; i++) {
			if (value[off + i] == '"' || value[off + i] == '\\')
				buf_addc(out, '\\');
			buf_addc(out, value[off + i]);
		}
		buf_addc(out, '"');
		off += n;
	} while (off < len);
	if (len > DNS_TXT_STRING_MAX)
		buf_adds(out, " )");
}
