/* SPDX-License-Identifier: ISC */
/*
 * generate.c - `inkan-keys generate`: make a DKIM key pair, store the
 * private key as DIR/DOMAIN/SELECTOR.private (PEM, PKCS#8, mode 0600,
 * created with O_EXCL so an existing key is never overwritten by accident;
 * --force replaces it atomically through a temporary file and rename), and
 * print the TXT record to publish. The PEM bytes pass only through an
 * OpenSSL secure-memory BIO, which is wiped when freed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "addr.h"
#include "dkim_key.h"
#include "keys.h"

int
keys_gen_parse(int argc, char **argv, const char *cmd, bool allow_force,
    struct keys_gen *o)
{
	static const struct option lo[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "selector", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'D' },
		{ "type", required_argument, NULL, 't' },
		{ "bits", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->type = "rsa";
	o->format = "zone";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': o->domain = optarg; break;
		case 's': o->selector = optarg; break;
		case 'D': o->dir = optarg; break;
		case 't': o->type = optarg; break;
		case 'f':
			if (!allow_force)
				return keys_fail(cmd, "has no --force option");
			o->force = true;
			break;
		case 'F': o->format = optarg; break;
		case 'b':
			o->bits = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0')
				return keys_fail(cmd, "--bits wants a number, "
				    "not '%s'", optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return keys_fail(cmd, "unexpected argument '%s'", argv[optind]);
	if (o->domain == NULL || o->selector == NULL || o->dir == NULL)
		return keys_fail(cmd, "needs --domain, --selector and --dir");
	if (keys_domain_arg(cmd, o->domain, o->dombuf) != 0 ||
	    keys_selector_arg(cmd, o->selector, o->selbuf) != 0)
		return 2;
	o->domain = o->dombuf;
	o->selector = o->selbuf;
	if (keys_key_name(cmd, o->selector, o->domain) != 0)
		return 2;
	if (strcmp(o->type, "rsa") != 0 && strcmp(o->type, "ed25519") != 0)
		return keys_fail(cmd, "--type is rsa or ed25519, not '%s'",
		    o->type);
	if (strcmp(o->format, "zone") != 0 && strcmp(o->format, "value") != 0)
		return keys_fail(cmd, "--format is zone or value, not '%s'",
		    o->format);
	if (strcmp(o->type, "ed25519") == 0 && o->bits != 0)
		return keys_fail(cmd, "--bits does not apply to %s keys",
		    o->type);
	if (strcmp(o->type, "rsa") == 0) {
		if (o->bits == 0)
			o->bits = DKIM_RSA_DEFAULT_BITS;
		if (o->bits < DKIM_RSA_MIN_BITS)
			return keys_fail(cmd, "refusing RSA keys under 1024 "
			    "bits: receivers treat their signatures as if "
			    "absent (RFC 8301)");
		if (o->bits > DKIM_RSA_MAX_SIGN_BITS)
			return keys_fail(cmd, "RSA keys over 4096 bits are "
			    "not supported: many receivers and DNS providers "
			    "cannot handle them");
	}
	return 0;
}

static EVP_PKEY *
make_key(const struct keys_gen *o)
{
	if (strcmp(o->type, "ed25519") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)o->bits);
}

/* Write the PEM to path: new file only, or atomically replaced with force. */
static int
store_key(EVP_PKEY *k, const char *path, bool force)
{
	char tmp[4096];
	const char *target = path;
	BIO *mem;
	char *pem;
	long len;
	int fd, rc = -1;

	if (force) {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%.4000s.XXXXXX", path) >=
		    sizeof(tmp) || (fd = mkstemp(tmp)) == -1)
			return -1;
		target = tmp;
	} else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	if (fchmod(fd, 0600) == -1 || (mem = BIO_new(BIO_s_secmem())) == NULL)
		goto out;
	if (PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (len = BIO_get_mem_data(mem, &pem)) > 0 &&
	    write(fd, pem, (size_t)len) == (ssize_t)len && fsync(fd) == 0)
		rc = 0;
	BIO_free(mem);
out:
	if (close(fd) == -1)
		rc = -1;
	if (rc == 0 && force && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1)
		unlink(target);
	return rc;
}

/*
 * Create dir and the parents it lacks, each with mode 0700 (a key
 * directory is no one else's business), as `mkdir -p -m 0700` would.
 * Directories that exist are left as they are. 0, or -1 after a message.
 */
static int
make_dirs(const char *dir)
{
	char path[4096];
	struct stat st;
	size_t len = strlen(dir), i;

	if (len == 0 || len >= sizeof(path))
		return keys_fail(NULL, "cannot create %.64s...: the name is "
		    "too long", dir);
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		if (path[i - 1] == '/')
			continue;	/* "a//b", or a final slash */
		path[i] = '\0';
		if (mkdir(path, 0700) == -1 && (errno != EEXIST ||
		    stat(path, &st) == -1 || !S_ISDIR(st.st_mode))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			return keys_fail(NULL, "cannot create %s: %s", path,
			    strerror(errno));
		}
		path[i] = dir[i];
	}
	return 0;
}

int
keys_gen_make(const struct keys_gen *o, const char *path, struct buf *record)
{
	char dir[4096];
	struct err e;
	EVP_PKEY *k;
	int rc;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", o->dir, o->domain) >=
	    sizeof(dir))
		return keys_fail(NULL, "the name of %s is too long", o->dir);
	if (make_dirs(dir) != 0)
		return 2;
	if ((k = make_key(o)) == NULL)
		return keys_fail(NULL, "key generation failed");
	if (store_key(k, path, o->force) == -1) {
		EVP_PKEY_free(k);
		return keys_fail(NULL, "cannot write %s: %s", path,
		    strerror(errno));
	}
	if (strcmp(o->format, "value") == 0)
		rc = dkim_key_record(k, record, &e);
	else
		rc = dkim_key_record_zone(k, o->selector, o->domain, record,
		    &e);
	EVP_PKEY_free(k);
	if (rc == -1)
		return keys_fail(NULL, "%s", e.msg);
	return 0;
}

int
keys_generate(int argc, char **argv)
{
	struct keys_gen o;
	struct buf out = BUF_INIT;
	char path[4096];
	int rc;

	if ((rc = keys_gen_parse(argc, argv, "generate", true, &o)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/%s/%s.private", o.dir, o.domain,
	    o.selector);
	if (!o.force && access(path, F_OK) == 0)
		return keys_fail(NULL, "%s exists; use --force to replace it "
		    "(the published record must then change too)", path);
	if ((rc = keys_gen_make(&o, path, &out)) == 0) {
		printf("%s\n", buf_str(&out));
		fprintf(stderr, "inkan-keys: wrote %s (mode 0600); publish "
		    "the record above in DNS\n", path);
	}
	buf_free(&out);
	return rc;
}
