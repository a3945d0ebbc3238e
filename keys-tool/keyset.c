/* SPDX-License-Identifier: ISC */
/*
 * keyset.c - load the signing keys inkan holds for one domain, through the
 * daemon's configuration and key store (no key parsing here; PEM goes to
 * the core's dkim_key.c), the keys `rotate` left pending next to them, and
 * write TXT records in zone-file form for `records`.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "dkim_key.h"
#include "dns.h"
#include "keys.h"
#include "keystore.h"

/* The problems the config or key store found, a line each, prefixed. */
static void
print_problems(const char *cmd, const struct buf *b)
{
	const char *p = buf_str(b), *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		fprintf(stderr, "inkan-keys %s: %.*s\n", cmd,
		    (int)(nl != NULL ? nl - p : (long)strlen(p)), p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* A pending key file is no larger than a key the key store accepts. */
#define PENDING_MAX_FILE	65536

/* Read one .pending key as the key store reads keys: owner-only, PEM. */
static EVP_PKEY *
read_pending(const char *path, char **problem)
{
	struct buf pem = BUF_INIT, why = BUF_INIT;
	struct stat st;
	struct err e;
	EVP_PKEY *k = NULL;
	enum dkim_key_type t;
	char chunk[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		buf_printf(&why, "cannot open it: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		buf_adds(&why, "not a regular file");
	else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		buf_printf(&why, "group or others may read it (mode %04o), so "
		    "inkan would refuse it once activated: run chmod 600 on it",
		    (unsigned)(st.st_mode & 07777));
	else if (st.st_size > PENDING_MAX_FILE)
		buf_adds(&why, "too large to be a key");
	else {
		while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
		    pem.len + (size_t)n <= PENDING_MAX_FILE)
			buf_add(&pem, chunk, (size_t)n);
		explicit_bzero(chunk, sizeof(chunk));
		if (n < 0 || buf_failed(&pem))
			buf_adds(&why, "cannot read it");
		else if ((k = dkim_key_from_pem(pem.data, pem.len, &e)) ==
		    NULL || dkim_key_type(k, &t, &e) == -1) {
			buf_adds(&why, e.msg);
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
	close(fd);
out:
	buf_wipe(&pem);
	if (k == NULL)
		*problem = strdup(why.len > 0 ? buf_str(&why) : "unusable");
	buf_free(&why);
	return k;
}

static int
cmp_pending(const void *a, const void *b)
{
	return strcmp(((const struct keyset_pending *)a)->selector,
	    ((const struct keyset_pending *)b)->selector);
}

/* Find the SELECTOR.private.pending files of s->domdir. */
static void
load_pending(struct keyset *s)
{
	const size_t suf = sizeof(KEYSET_PENDING) - 1;
	struct keyset_pending *p;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(s->domdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && s->npending < KEYSET_MAX) {
		size_t len = strlen(de->d_name);

		if (len <= suf || strcmp(de->d_name + len - suf,
		    KEYSET_PENDING) != 0 || !addr_domain_valid(de->d_name,
		    len - suf))
			continue;
		p = &s->pending[s->npending];
		memset(p, 0, sizeof(*p));
		if ((p->selector = strndup(de->d_name, len - suf)) == NULL ||
		    asprintf(&p->path, "%s/%s", s->domdir, de->d_name) == -1) {
			free(p->selector);
			break;
		}
		p->key = read_pending(p->path, &p->problem);
		s->npending++;
	}
	closedir(d);
	qsort(s->pending, s->npending, sizeof(s->pending[0]), cmp_pending);
}

int
keyset_load(struct keyset *s, const char *cmd, const char *config,
    const char *dir, const char *domain)
{
	struct buf problems = BUF_INIT;
	struct keystore *ks;
	struct stat st;
	struct err e;
	int n;

	memset(s, 0, sizeof(*s));
	if (config != NULL && dir != NULL) {
		keys_fail(cmd, "give --config or --dir, not both");
		return -1;
	}
	if (config != NULL) {
		n = 0;
		/* the settings and the keys only: no resolver, no database */
		if ((s->cfg = config_load(config, &problems)) == NULL ||
		    (s->ks = keystore_load_config(s->cfg, KEYSTORE_CHECK_ALL,
		    NULL, &problems, &n)) == NULL ||
		    n > 0) {
			print_problems(cmd, &problems);
			keys_fail(cmd, "cannot use %s (see above)", config);
			buf_free(&problems);
			keyset_free(s);
			return -1;
		}
		ks = s->ks;
	} else if (dir != NULL) {
		/* a typo in --dir is not "no keys": say so and stop */
		if (stat(dir, &st) == -1) {
			keys_fail(cmd, "--dir %s: %s", dir, errno == ENOENT ?
			    "no such directory" : strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			keys_fail(cmd, "--dir %s is not a directory", dir);
			return -1;
		}
		if ((s->ks = keystore_new()) == NULL ||
		    keystore_load_dir(s->ks, dir, &problems) == -1) {
			keys_fail(cmd, "out of memory");
			buf_free(&problems);
			keyset_free(s);
			return -1;
		}
		print_problems(cmd, &problems);
		ks = s->ks;
	} else
		return 0;
	buf_free(&problems);
	/*
	 * "postmaster" stands for any sender of the domain; signing tables
	 * that give keys per local part are matched for that address only.
	 */
	if ((n = keystore_lookup(ks, "postmaster", domain, false, s->k,
	    KEYSET_MAX, &e)) == -1) {
		keys_fail(cmd, "%s", e.msg);
		keyset_free(s);
		return -1;
	}
	s->n = (size_t)n;	/* references, given back by keyset_free */
	/* pending keys exist only beside a key_dir (`rotate` writes them) */
	if (dir == NULL && s->cfg->key_dir[0] != '\0')
		dir = s->cfg->key_dir;
	if (dir != NULL && asprintf(&s->domdir, "%s/%s", dir, domain) != -1)
		load_pending(s);
	return 0;
}

void
keyset_free(struct keyset *s)
{
	size_t i;

	for (i = 0; i < s->npending; i++) {
		free(s->pending[i].selector);
		free(s->pending[i].path);
		free(s->pending[i].problem);
		EVP_PKEY_free(s->pending[i].key);
	}
	free(s->domdir);
	keystore_release(s->k, s->n);
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
