/* SPDX-License-Identifier: ISC */
/*
 * keystore.c - loading private keys and matching senders to them
 * (see keystore.h). Key files must be private to their owner: one that
 * group or others may read is refused, as OpenDKIM's RequireSafeKeys did,
 * because a leaked DKIM key lets anyone send as the domain. File bytes are
 * wiped as soon as OpenSSL has parsed them.
 *
 * The store itself holds names only (domain, selector, path, the file's
 * identity), sorted so a lookup is a binary search. Decoded keys are in
 * the cache below, shared by every store of the process: one mutex
 * guards it, held for a hash probe and a list move, never while a key is
 * read or decoded. Each key handed out carries its own reference
 * (OpenSSL 3 keys are reference counted), so eviction never frees a key
 * a signer is still using.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "dkim_key.h"
#include "keystore.h"

#include "keystore_int.h"

struct keystore *
keystore_new(void)
{
	struct keystore *ks = calloc(1, sizeof(struct keystore));

	if (ks != NULL) {
		kc_store_opened();
	}
	return ks;
}

void
keystore_set_check(struct keystore *ks, enum keystore_check check)
{
	ks->check = check;
}

void
keystore_free(struct keystore *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->nkeys; i++)
		free(ks->keys[i].domain);	/* the strings' one block */
	for (i = 0; i < ks->nrules; i++)
		free(ks->rules[i].pattern);
	for (i = 0; i < ks->nempty; i++)
		free(ks->empty[i]);
	free(ks->empty);
	free(ks->byname);
	free(ks->known);
	free(ks->keys);
	free(ks->rules);
	free(ks);
	/* no store left to ask for a key: keep none (leak checkers, -n) */
	kc_store_closed();
}

size_t
keystore_count(const struct keystore *ks)
{
	return ks->nkeys;
}

/*
 * Check one key file (name, relative to the directory dfd, or AT_FDCWD;
 * path is how problems name it) and, with decode, read and parse it. The
 * checks are the same either way: a regular file, private to its owner,
 * not empty, not too large. *id gets the identity of the file checked.
 * Returns 0 (and *out the key when decoding), or -1 with one problem line.
 */
static int
read_key(int dfd, const char *name, const char *path, bool decode,
    struct ks_file *id, EVP_PKEY **out, struct buf *problems)
{
	struct buf pem = BUF_INIT;
	struct stat st;
	struct err e;
	EVP_PKEY *k = NULL;
	char chunk[4096];
	ssize_t n;
	int fd, rc = -1;

	if (out != NULL)
		*out = NULL;
	/* O_NONBLOCK: a FIFO named like a key must not hang the load */
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		buf_printf(problems, "%s: cannot open key: %s\n", path,
		    strerror(errno));
		return -1;
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
	if (st.st_size == 0) {
		/* OpenSSL would only say "passed a null parameter" */
		buf_printf(problems, "%s: the file is empty (expected a PEM "
		    "private key, as inkan-keys generate writes)\n", path);
		goto out;
	}
	ks_file_id(&st, id);
	if (!decode) {
		rc = 0;
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
		buf_printf(problems, "%s: the file is empty (expected a PEM "
		    "private key, as inkan-keys generate writes)\n", path);
		goto out;
	}
	kc_count_decode();
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
	if (k != NULL) {
		*out = k;
		rc = 0;
	}
out:
	buf_wipe(&pem);
	close(fd);
	return rc;
}

static int
cmp_files(const void *a, const void *b)
{
	const struct ks_file *x = a, *y = b;

#define CMP(f)	if (x->f != y->f) return x->f < y->f ? -1 : 1
	CMP(dev);
	CMP(ino);
	CMP(size);
	CMP(mtime.tv_sec);
	CMP(mtime.tv_nsec);
	CMP(ctime.tv_sec);
	CMP(ctime.tv_nsec);
#undef CMP
	return 0;
}

int
keystore_set_running(struct keystore *ks, const struct keystore *running)
{
	size_t i;

	free(ks->known);
	ks->known = NULL;
	ks->nknown = 0;
	ks->reload = running != NULL;
	if (running == NULL || running->nkeys == 0)
		return 0;
	if ((ks->known = reallocarray(NULL, running->nkeys,
	    sizeof(*ks->known))) == NULL)
		return -1;
	for (i = 0; i < running->nkeys; i++)
		ks->known[i] = running->keys[i].id;
	ks->nknown = running->nkeys;
	qsort(ks->known, ks->nknown, sizeof(*ks->known), cmp_files);
	return 0;
}

/*
 * Whether a reload may take the file id as checked: the running store
 * has the same file, or its key is decoded (in the cache).
 */
static bool
known_file(const struct keystore *ks, const struct ks_file *id)
{
	EVP_PKEY *k;

	if (ks->nknown > 0 && bsearch(id, ks->known, ks->nknown,
	    sizeof(*ks->known), cmp_files) != NULL)
		return true;
	if ((k = kc_get(id)) == NULL)
		return false;
	EVP_PKEY_free(k);
	return true;
}

EVP_PKEY *
keystore_read_key(const char *path, struct buf *problems)
{
	struct ks_file id;
	EVP_PKEY *k;

	return read_key(AT_FDCWD, path, path, true, &id, &k, problems) == -1 ?
	    NULL : k;
}

/*
 * Check the key file at path, as the store's check says: with
 * KEYSTORE_CHECK_ALL decode it too, and keep the decoded key in the cache
 * (a -n or inkan-keys run then finds it there). KEYSTORE_CHECK_FILES
 * decodes nothing at the start; on a reload, it decodes the files that
 * are new or changed since the running store, so a key replaced by a
 * broken one refuses the reload (the running keys go on signing) rather
 * than fail mail. 0, or -1 and a problem.
 */
int
ks_check_key(const struct keystore *ks, int dfd, const char *name,
    const char *path, struct ks_file *id, struct buf *problems)
{
	EVP_PKEY *k;

	if (ks->check == KEYSTORE_CHECK_FILES) {
		if (read_key(dfd, name, path, false, id, NULL, problems) == -1)
			return -1;
		if (!ks->reload || known_file(ks, id))
			return 0;
	}
	if (read_key(dfd, name, path, true, id, &k, problems) == -1)
		return -1;
	EVP_PKEY_free(kc_put(id, k));
	return 0;
}

/*
 * A new reference to key k, decoded from its file if the cache lacks it.
 * The file is read again now: one replaced since the load is used if it
 * passes the same checks (the key that path holds now, as a reload would
 * find it), and kept under the identity the load saw, so it is decoded
 * once. -1 and e (the file and what is wrong) when it cannot be used.
 */
static int
key_of(const struct ks_key *k, EVP_PKEY **out, struct err *e)
{
	struct buf problem = BUF_INIT;
	struct ks_file now;
	EVP_PKEY *pk;

	if ((*out = kc_get(&k->id)) != NULL)
		return 0;
	if (read_key(AT_FDCWD, k->path, k->path, true, &now, &pk,
	    &problem) == -1) {
		size_t len = strcspn(buf_str(&problem), "\n");

		err_set(e, "signing key %.*s (inkan-milter -n checks every "
		    "key)", (int)len, buf_failed(&problem) ? "out of memory" :
		    buf_str(&problem));
		buf_free(&problem);
		return -1;
	}
	buf_free(&problem);
	*out = kc_put(&k->id, pk);
	return 0;
}

void
keystore_release(struct dkim_sign_key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		EVP_PKEY_free(keys[i].key);
		keys[i].key = NULL;
	}
}

/* Append a key (its strings in one allocation); -1 when out of memory. */
int
ks_add_key(struct keystore *ks, const char *name, const char *domain,
    const char *selector, const char *path, const struct ks_file *id)
{
	size_t ld = strlen(domain) + 1, ls = strlen(selector) + 1,
	    lp = strlen(path) + 1, ln = name != NULL ? strlen(name) + 1 : 0;
	struct ks_key *nk, *e;
	char *b;

	if (ks->nkeys == ks->capkeys) {
		size_t cap = ks->capkeys > 0 ? ks->capkeys * 2 : 16;

		if ((nk = reallocarray(ks->keys, cap, sizeof(*nk))) == NULL)
			return -1;
		ks->keys = nk;
		ks->capkeys = cap;
	}
	if ((b = malloc(ld + ls + lp + ln)) == NULL)
		return -1;
	e = &ks->keys[ks->nkeys];
	e->domain = memcpy(b, domain, ld);
	e->selector = memcpy(b + ld, selector, ls);
	e->path = memcpy(b + ld + ls, path, lp);
	e->name = name != NULL ? memcpy(b + ld + ls + lp, name, ln) : NULL;
	e->id = *id;
	/* lower-case the domain once, so lookups compare bytes */
	for (char *p = e->domain; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	ks->nkeys++;
	return 0;
}

/* The array add_key doubles, down to its size once loaded. */
void
ks_shrink_keys(struct keystore *ks)
{
	struct ks_key *nk;

	if (ks->nkeys > 0 && ks->nkeys < ks->capkeys &&
	    (nk = reallocarray(ks->keys, ks->nkeys, sizeof(*nk))) != NULL) {
		ks->keys = nk;
		ks->capkeys = ks->nkeys;
	}
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * key_dir order: by domain, then by path (the directory as spelled, then
 * the selector), so a domain's keys come out in selector order.
 */
static int
cmp_dir_keys(const void *a, const void *b)
{
	const struct ks_key *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	return c != 0 ? c : strcmp(x->path, y->path);
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
load_domain_dir(struct keystore *ks, int topfd, const char *dir,
    const char *domain, struct buf *problems)
{
	char path[4096], fname[NAME_MAX + 1], **names = NULL;
	size_t nnames = 0, i;
	struct dirent *de;
	int problems_n = 0, rc = 0, fd;
	DIR *d = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, domain);
	/* relative to key_dir: no walk from / for each of 100,000 domains */
	if ((fd = openat(topfd, domain, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		int saved = errno;

		if (fd != -1)
			close(fd);
		errno = saved;
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
	/* no key (all deleted, or only a .pending one): names is NULL */
	if (rc == 0 && nnames > 0)
		qsort(names, nnames, sizeof(*names), cmp_names);
	if (rc == 0 && problems_n == 0 && nnames == 0 &&
	    add_empty(ks, domain) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < nnames; i++) {
		size_t slen = strlen(names[i]) - 8;
		struct ks_file id;

		names[i][slen] = '\0';
		if (!addr_domain_valid(names[i], slen)) {
			buf_printf(problems, "%s/%s.private: '%s' is not a valid "
			    "selector\n", path, names[i], names[i]);
			problems_n++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/%s.private", dir, domain,
		    names[i]);
		snprintf(fname, sizeof(fname), "%s.private", names[i]);
		if (ks_check_key(ks, dirfd(d), fname, path, &id, problems) == -1) {
			problems_n++;
			continue;
		}
		if (ks_add_key(ks, NULL, domain, names[i], path, &id) == -1)
			rc = -1;
	}
	closedir(d);
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
		if ((r = load_domain_dir(ks, dirfd(d), dir, de->d_name,
		    problems)) == -1) {
			closedir(d);
			return -1;
		}
		n += r;
	}
	closedir(d);
	ks_shrink_keys(ks);
	if (ks->nkeys > 0)
		qsort(ks->keys, ks->nkeys, sizeof(*ks->keys), cmp_dir_keys);
	if (ks->nempty > 0)
		qsort(ks->empty, ks->nempty, sizeof(*ks->empty), cmp_names);
	return n;
}

/* The most keys one lookup hands out (callers ask for 4, inkan-keys 32). */
#define KS_LOOKUP_MAX	64

/* The first key of domain d (lower case) in the sorted keys, or nkeys. */
static size_t
first_of_domain(const struct keystore *ks, const char *d)
{
	size_t lo = 0, hi = ks->nkeys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ks->keys[mid].domain, d) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ks->nkeys && strcmp(ks->keys[lo].domain, d) == 0 ?
	    lo : ks->nkeys;
}

static size_t
lookup_dir(const struct keystore *ks, const char *domain, bool subdomains,
    size_t *idx, size_t max)
{
	char low[256];
	const char *d = low;
	size_t i, n = 0, len = strlen(domain);

	/* no directory name is this long (addr_domain_valid) */
	if (len >= sizeof(low))
		return 0;
	for (i = 0; i <= len; i++)
		low[i] = (char)tolower((unsigned char)domain[i]);
	for (;;) {
		for (i = first_of_domain(ks, d); i < ks->nkeys && n < max &&
		    strcmp(ks->keys[i].domain, d) == 0; i++)
			idx[n++] = i;
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
    size_t *idx, size_t max)
{
	const char *hit = NULL;
	size_t i, n = 0;

	for (i = 0; i < ks->nrules && n < max; i++) {
		const struct ks_rule *r = &ks->rules[i];
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
		idx[n++] = r->key;
	}
	return n;
}

int
keystore_lookup(const struct keystore *ks, const char *local,
    const char *domain, bool subdomains, struct dkim_sign_key *out,
    size_t max, struct err *e)
{
	size_t idx[KS_LOOKUP_MAX], n, i;
	char addr[1024];

	if (max > KS_LOOKUP_MAX)
		max = KS_LOOKUP_MAX;
	if (ks->by_dir)
		n = lookup_dir(ks, domain, subdomains, idx, max);
	else if ((size_t)snprintf(addr, sizeof(addr), "%s@%s", local,
	    domain) >= sizeof(addr))
		return 0;	/* a cut-off address could match another's */
	else
		n = lookup_rules(ks, addr, domain, idx, max);
	for (i = 0; i < n; i++) {
		const struct ks_key *k = &ks->keys[idx[i]];

		out[i].domain = k->domain;
		out[i].selector = k->selector;
		if (key_of(k, &out[i].key, e) == -1) {
			keystore_release(out, i);
			return -1;
		}
	}
	return (int)n;
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
keystore_load_config(const struct config *c, enum keystore_check check,
    const struct keystore *running, struct buf *problems, int *nproblems)
{
	struct keystore *ks;
	int n = 0;

	*nproblems = 0;
	if ((ks = keystore_new()) == NULL)
		return NULL;
	keystore_set_check(ks, check);
	if (keystore_set_running(ks, running) == -1) {
		keystore_free(ks);
		return NULL;
	}
	if (*c->key_dir != '\0')
		n = keystore_load_dir(ks, c->key_dir, problems);
	else if (*c->key_table != '\0')
		n = keystore_load_tables(ks, c->key_table, c->signing_table,
		    problems);
	keystore_set_running(ks, NULL);	/* frees the list of known files */
	if (n == -1) {
		keystore_free(ks);
		return NULL;
	}
	*nproblems = n;
	return ks;
}
