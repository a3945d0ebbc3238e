/* SPDX-License-Identifier: ISC */
/*
 * keystore_tables.c - OpenDKIM's KeyTable and SigningTable ("refile:" for
 * wildcards) loaded into a key store (see keystore.h): the key files are
 * checked as key_dir's are, the rules kept in the table's order.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "keystore.h"
#include "keystore_int.h"

/* Next whitespace-separated field of a table line, or NULL. */
static char *
field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return start;
}

/* Open a table named "PATH", "file:PATH" or "refile:PATH". */
static FILE *
open_table(const char *spec, bool *glob, const char **path)
{
	*glob = false;
	if (strncmp(spec, "refile:", 7) == 0) {
		*glob = true;
		spec += 7;
	} else if (strncmp(spec, "file:", 5) == 0)
		spec += 5;
	*path = spec;
	return fopen(spec, "re");
}

/* Strip comments and the line end; false for a line with nothing left. */
static bool
table_line(char *line)
{
	char *hash = strchr(line, '#');
	size_t len;

	if (hash != NULL)
		*hash = '\0';
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	return line[strspn(line, " \t")] != '\0';
}

static int
load_keytable(struct keystore *ks, const char *spec, struct buf *problems)
{
	const char *path;
	char line[4096];
	int n = 0, lineno = 0;
	bool glob;
	FILE *f;

	if ((f = open_table(spec, &glob, &path)) == NULL) {
		buf_printf(problems, "key_table %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *name, *val, *dom, *sel, *kpath;
		struct ks_file id;

		lineno++;
		if (!table_line(line))
			continue;
		name = field(&p);
		val = field(&p);
		/* value: domain:selector:keypath */
		if (val == NULL || (dom = strsep(&val, ":")) == NULL ||
		    (sel = strsep(&val, ":")) == NULL || (kpath = val) == NULL ||
		    *kpath == '\0' || field(&p) != NULL) {
			buf_printf(problems, "%s:%d: expected 'NAME "
			    "DOMAIN:SELECTOR:KEYFILE'\n", path, lineno);
			n++;
			continue;
		}
		if (!addr_domain_valid(dom, strlen(dom)) ||
		    !addr_domain_valid(sel, strlen(sel))) {
			buf_printf(problems, "%s:%d: bad domain or selector\n",
			    path, lineno);
			n++;
			continue;
		}
		if (ks_check_key(ks, AT_FDCWD, kpath, kpath, &id, problems) == -1) {
			n++;
			continue;
		}
		if (ks_add_key(ks, name, dom, sel, kpath, &id) == -1) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return n;
}

/* KeyTable names in order, equal names in file order (the first wins). */
static const struct keystore *sort_ks;	/* qsort has no argument */

static int
cmp_key_names(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_ks->keys[x].name, sort_ks->keys[y].name);

	return c != 0 ? c : (x > y) - (x < y);
}

static int
index_key_names(struct keystore *ks)
{
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	size_t i;

	free(ks->byname);
	if ((ks->byname = reallocarray(NULL, ks->nkeys > 0 ? ks->nkeys : 1,
	    sizeof(*ks->byname))) == NULL)
		return -1;
	for (i = 0; i < ks->nkeys; i++)
		ks->byname[i] = i;
	pthread_mutex_lock(&sort_lock);
	sort_ks = ks;
	qsort(ks->byname, ks->nkeys, sizeof(*ks->byname), cmp_key_names);
	pthread_mutex_unlock(&sort_lock);
	return 0;
}

/* The first KeyTable line named name: a binary search for the lowest. */
static int
find_key_name(const struct keystore *ks, const char *name, size_t *out)
{
	size_t lo = 0, hi = ks->nkeys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ks->keys[ks->byname[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ks->nkeys || strcmp(ks->keys[ks->byname[lo]].name, name) != 0)
		return -1;
	*out = ks->byname[lo];
	return 0;
}

int
keystore_load_tables(struct keystore *ks, const char *keytable,
    const char *signingtable, struct buf *problems)
{
	const char *path;
	char line[4096];
	int n, lineno = 0;
	bool glob;
	FILE *f;

	if ((n = load_keytable(ks, keytable, problems)) == -1)
		return -1;
	ks_shrink_keys(ks);
	if (index_key_names(ks) == -1)
		return -1;
	if ((f = open_table(signingtable, &glob, &path)) == NULL) {
		buf_printf(problems, "signing_table %s: %s\n", path,
		    strerror(errno));
		return n + 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *pat, *name;
		struct ks_rule *nr;
		size_t key;

		lineno++;
		if (!table_line(line))
			continue;
		pat = field(&p);
		name = field(&p);
		if (name == NULL || field(&p) != NULL) {
			buf_printf(problems, "%s:%d: expected 'PATTERN KEYNAME'\n",
			    path, lineno);
			n++;
			continue;
		}
		if (find_key_name(ks, name, &key) == -1) {
			buf_printf(problems, "%s:%d: key '%s' is not in the key "
			    "table (or could not be loaded)\n", path, lineno, name);
			n++;
			continue;
		}
		if ((nr = reallocarray(ks->rules, ks->nrules + 1,
		    sizeof(*nr))) == NULL) {
			fclose(f);
			return -1;
		}
		ks->rules = nr;
		if ((nr[ks->nrules].pattern = strdup(pat)) == NULL) {
			fclose(f);
			return -1;
		}
		nr[ks->nrules].glob = glob;
		nr[ks->nrules].key = key;
		ks->nrules++;
	}
	fclose(f);
	return n;
}

