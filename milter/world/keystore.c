/* SPDX-License-Identifier: ISC */
/*
 * keystore.c - loading private keys and matching senders to them
 * (see keystore.h). Key files must be private to their owner: one that
 * group or others may read is refused, as OpenDKIM's RequireSafeKeys did,
 * because a leaked DKIM key lets anyone send as the domain. File bytes are
 * wiped as soon as OpenSSL has parsed them.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "dkim_key.h"
#include "keystore.h"

struct ks_key {
	char		*name;		/* KeyTable name; NULL for key_dir */
	char		*domain;
	char		*selector;
	EVP_PKEY	*key;
};

struct ks_rule {			/* one SigningTable line */
	char		*pattern;
	bool		 glob;		/* refile: '*' wildcards */
	size_t		 key;		/* index into keys */
};

struct keystore {
	struct ks_key	*keys;
	size_t		 nkeys;
	struct ks_rule	*rules;
	size_t		 nrules;
	bool		 by_dir;	/* key_dir: rules are implicit */
	char		**empty;	/* key_dir domains with no key file */
	size_t		 nempty;
};

struct keystore *
keystore_new(void)
{
	return calloc(1, sizeof(struct keystore));
}

void
keystore_free(struct keystore *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->nkeys; i++) {
		free(ks->keys[i].name);
		free(ks->keys[i].domain);
		free(ks->keys[i].selector);
		EVP_PKEY_free(ks->keys[i].key);
	}
	for (i = 0; i < ks->nrules; i++)
		free(ks->rules[i].pattern);
	for (i = 0; i < ks->nempty; i++)
		free(ks->empty[i]);
	free(ks->empty);
	free(ks->keys);
	free(ks->rules);
	free(ks);
}

size_t
keystore_count(const struct keystore *ks)
{
	return ks->nkeys;
}

EVP_PKEY *
keystore_read_key(const char *path, struct buf *problems)
{
	struct buf pem = BUF_INIT;
	struct stat st;
	struct err e;
	EVP_PKEY *k = NULL;
	char chunk[4096];
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO named like a key must not hang the load */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		buf_printf(problems, "%s: cannot open key: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		buf_printf(problems, "%s: not a regular file\n", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		buf_printf(problems, "%s: key is accessible by group or others "
		    "(mode %04o); refused: run chmod 600 on it\n", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > KEYSTORE_MAX_FILE) {
		buf_printf(problems, "%s: too large to be a key\n", path);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
	    pem.len + (size_t)n <= KEYSTORE_MAX_FILE)
		buf_add(&pem, chunk, (size_t)n);
	explicit_bzero(chunk, sizeof(chunk));
	if (n < 0 || buf_failed(&pem)) {
		buf_printf(problems, "%s: cannot read key\n", path);
		goto out;
	}
	if (pem.len == 0) {
		/* OpenSSL would only say "passed a null parameter" */
		buf_printf(problems, "%s: the file is empty (expected a PEM "
		    "private key, as inkan-keys generate writes)\n", path);
		goto out;
	}
	if ((k = dkim_key_from_pem(pem.data, pem.len, &e)) == NULL)
		buf_printf(problems, "%s: %s\n", path, e.msg);
	else {
		enum dkim_key_type t;

		if (dkim_key_type(k, &t, &e) == -1) {
			buf_printf(problems, "%s: %s\n", path, e.msg);
			EVP_PKEY_free(k);
			k = NULL;
		} else if (t == DKIM_KEY_RSA &&
		    EVP_PKEY_get_bits(k) < DKIM_RSA_MIN_BITS) {
			buf_printf(problems, "%s: RSA key of %d bits; receivers "
			    "ignore signatures with keys under %d bits "
			    "(RFC 8301)\n", path, EVP_PKEY_get_bits(k),
			    DKIM_RSA_MIN_BITS);
			EVP_PKEY_free(k);
			k = NULL;
		}
	}
out:
	buf_wipe(&pem);
	close(fd);
	return k;
}

static int
add_key(struct keystore *ks, const char *name, const char *domain,
    const char *selector, EVP_PKEY *k)
{
	struct ks_key *nk = reallocarray(ks->keys, ks->nkeys + 1, sizeof(*nk));
	struct ks_key *e;

	if (nk == NULL)
		return -1;
	ks->keys = nk;
	e = &ks->keys[ks->nkeys];
	e->name = name != NULL ? strdup(name) : NULL;
	e->domain = strdup(domain);
	e->selector = strdup(selector);
	e->key = k;
	if (e->domain == NULL || e->selector == NULL ||
	    (name != NULL && e->name == NULL)) {
		free(e->name);
		free(e->domain);
		free(e->selector);
		return -1;
	}
	/* lower-case the domain once, so lookups compare bytes */
	for (char *p = e->domain; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	ks->nkeys++;
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remember a domain directory that holds no key, for keystore_warnings. */
static int
add_empty(struct keystore *ks, const char *domain)
{
	char **ne = reallocarray(ks->empty, ks->nempty + 1, sizeof(*ne));

	if (ne == NULL)
		return -1;
	ks->empty = ne;
	if ((ne[ks->nempty] = strdup(domain)) == NULL)
		return -1;
	for (char *p = ne[ks->nempty]; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	ks->nempty++;
	return 0;
}

/* Load the .private files of DIR/domain in selector order (stable output). */
static int
load_domain_dir(struct keystore *ks, const char *dir, const char *domain,
    struct buf *problems)
{
	char path[4096], **names = NULL;
	size_t nnames = 0, i;
	struct dirent *de;
	int problems_n = 0, rc = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, domain);
	if ((d = opendir(path)) == NULL) {
		/* a plain file beside the domains is not a domain */
		if (errno == ENOTDIR)
			return 0;
		/*
		 * Anything else (EACCES: a directory root made 0700 and the
		 * daemon no longer root; ENOENT: a dangling symlink) hides
		 * keys that are meant to sign: a problem, never "no keys".
		 */
		buf_printf(problems, "%s: cannot read the domain directory: "
		    "%s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				buf_printf(problems, "%s: cannot read the domain "
				    "directory: %s\n", path, strerror(errno));
				problems_n++;
			}
			break;
		}
		size_t len = strlen(de->d_name);
		char **nn;

		if (len <= 8 || strcmp(de->d_name + len - 8, ".private") != 0)
			continue;
		if ((nn = reallocarray(names, nnames + 1, sizeof(*nn))) == NULL ||
		    (nn[nnames] = strdup(de->d_name)) == NULL) {
			if (nn != NULL)
				names = nn;
			rc = -1;
			break;
		}
		names = nn;
		nnames++;
	}
	closedir(d);
	/* no key (all deleted, or only a .pending one): names is NULL */
	if (rc == 0 && nnames > 0)
		qsort(names, nnames, sizeof(*names), cmp_names);
	if (rc == 0 && problems_n == 0 && nnames == 0 &&
	    add_empty(ks, domain) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < nnames; i++) {
		size_t slen = strlen(names[i]) - 8;
		EVP_PKEY *k;

		names[i][slen] = '\0';
		if (!addr_domain_valid(names[i], slen)) {
			buf_printf(problems, "%s/%s.private: '%s' is not a valid "
			    "selector\n", path, names[i], names[i]);
			problems_n++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/%s.private", dir, domain,
		    names[i]);
		if ((k = keystore_read_key(path, problems)) == NULL) {
			problems_n++;
			continue;
		}
		if (add_key(ks, NULL, domain, names[i], k) == -1) {
			EVP_PKEY_free(k);
			rc = -1;
		}
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return rc == -1 ? -1 : problems_n;
}

int
keystore_load_dir(struct keystore *ks, const char *dir, struct buf *problems)
{
	struct dirent *de;
	int n = 0, r;
	DIR *d;

	ks->by_dir = true;
	if ((d = opendir(dir)) == NULL) {
		buf_printf(problems, "key_dir %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				buf_printf(problems, "key_dir %s: %s\n", dir,
				    strerror(errno));
				n++;
			}
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if (!addr_domain_valid(de->d_name, strlen(de->d_name))) {
			buf_printf(problems, "key_dir %s: '%s' is not a domain "
			    "name; ignored\n", dir, de->d_name);
			n++;
			continue;
		}
		if ((r = load_domain_dir(ks, dir, de->d_name, problems)) == -1) {
			closedir(d);
			return -1;
		}
		n += r;
	}
	closedir(d);
	if (ks->nempty > 0)
		qsort(ks->empty, ks->nempty, sizeof(*ks->empty), cmp_names);
	return n;
}

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
		EVP_PKEY *k;

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
		if ((k = keystore_read_key(kpath, problems)) == NULL) {
			n++;
			continue;
		}
		if (add_key(ks, name, dom, sel, k) == -1) {
			EVP_PKEY_free(k);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return n;
}

static int
find_key_name(const struct keystore *ks, const char *name, size_t *out)
{
	size_t i;

	for (i = 0; i < ks->nkeys; i++)
		if (ks->keys[i].name != NULL && strcmp(ks->keys[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	return -1;
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

static size_t
lookup_dir(const struct keystore *ks, const char *domain, bool subdomains,
    struct dkim_sign_key *out, size_t max)
{
	const char *d = domain;
	size_t i, n = 0;

	for (;;) {
		for (i = 0; i < ks->nkeys && n < max; i++)
			if (strcasecmp(ks->keys[i].domain, d) == 0) {
				out[n].domain = ks->keys[i].domain;
				out[n].selector = ks->keys[i].selector;
				out[n].key = ks->keys[i].key;
				n++;
			}
		if (n > 0 || !subdomains)
			return n;
		/* try the parent, but never a bare top-level label */
		if ((d = strchr(d, '.')) == NULL || strchr(++d, '.') == NULL)
			return 0;
	}
}

/*
 * SigningTable semantics as OpenDKIM's: the first line that matches the
 * sender decides; every line with that same pattern adds a key (so one
 * sender can get an RSA and an Ed25519 signature). Plain tables match the
 * whole address or the domain; refile tables match '*' wildcards against
 * the address.
 */
static size_t
lookup_rules(const struct keystore *ks, const char *addr, const char *domain,
    struct dkim_sign_key *out, size_t max)
{
	const char *hit = NULL;
	size_t i, n = 0;

	for (i = 0; i < ks->nrules && n < max; i++) {
		const struct ks_rule *r = &ks->rules[i];
		const struct ks_key *k;
		bool m;

		if (hit != NULL) {
			m = strcmp(r->pattern, hit) == 0;
		} else if (r->glob)
			m = fnmatch(r->pattern, addr, FNM_CASEFOLD) == 0;
		else
			m = strcasecmp(r->pattern, addr) == 0 ||
			    strcasecmp(r->pattern, domain) == 0;
		if (!m)
			continue;
		hit = r->pattern;
		k = &ks->keys[r->key];
		out[n].domain = k->domain;
		out[n].selector = k->selector;
		out[n].key = k->key;
		n++;
	}
	return n;
}

size_t
keystore_lookup(const struct keystore *ks, const char *local,
    const char *domain, bool subdomains, struct dkim_sign_key *out, size_t max)
{
	char addr[1024];

	if (ks->by_dir)
		return lookup_dir(ks, domain, subdomains, out, max);
	/* a cut-off address could match another domain's pattern */
	if ((size_t)snprintf(addr, sizeof(addr), "%s@%s", local, domain) >=
	    sizeof(addr))
		return 0;
	return lookup_rules(ks, addr, domain, out, max);
}

/* The distinct key domains of ks, sorted; NULL with *n = 0 when none. */
static const char **
sorted_domains(const struct keystore *ks, size_t *n)
{
	const char **v;
	size_t i, j;

	*n = 0;
	if (ks == NULL || ks->nkeys == 0 ||
	    (v = reallocarray(NULL, ks->nkeys, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < ks->nkeys; i++)
		v[i] = ks->keys[i].domain;
	qsort(v, ks->nkeys, sizeof(*v), cmp_names);
	for (i = j = 0; i < ks->nkeys; i++)
		if (j == 0 || strcmp(v[j - 1], v[i]) != 0)
			v[j++] = v[i];
	*n = j;
	return v;
}

static bool
in_sorted(const char **v, size_t n, const char *s)
{
	return n > 0 && bsearch(&s, v, n, sizeof(*v), cmp_names) != NULL;
}

int
keystore_warnings(const struct keystore *ks, const struct keystore *old,
    struct buf *warnings)
{
	const char **now, **before, **empty;
	size_t nnow, nbefore, i, n = 0;

	now = sorted_domains(ks, &nnow);
	before = sorted_domains(old, &nbefore);
	if ((ks->nkeys > 0 && now == NULL) ||
	    (old != NULL && old->nkeys > 0 && before == NULL)) {
		free(now);
		free(before);
		return -1;
	}
	empty = (const char **)ks->empty;	/* sorted by keystore_load_dir */
	for (i = 0; i < ks->nempty; i++, n++)
		buf_printf(warnings, "%s: the domain directory holds no key "
		    "(no SELECTOR.private file): mail from %s goes out "
		    "unsigned\n", ks->empty[i], ks->empty[i]);
	for (i = 0; i < nbefore; i++)
		if (!in_sorted(now, nnow, before[i]) &&
		    !in_sorted(empty, ks->nempty, before[i])) {
			buf_printf(warnings, "%s: no signing key any more (the "
			    "running configuration had one): mail from %s "
			    "goes out unsigned\n", before[i], before[i]);
			n++;
		}
	free(now);
	free(before);
	return (int)n;
}

struct keystore *
keystore_load_config(const struct config *c, struct buf *problems,
    int *nproblems)
{
	struct keystore *ks;
	int n = 0;

	*nproblems = 0;
	if ((ks = keystore_new()) == NULL)
		return NULL;
	if (*c->key_dir != '\0')
		n = keystore_load_dir(ks, c->key_dir, problems);
	else if (*c->key_table != '\0')
		n = keystore_load_tables(ks, c->key_table, c->signing_table,
		    problems);
	if (n == -1) {
		keystore_free(ks);
		return NULL;
	}
	*nproblems = n;
	return ks;
}
