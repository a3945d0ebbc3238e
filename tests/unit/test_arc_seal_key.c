/* SPDX-License-Identifier: ISC */
/*
 * test_arc_seal_key.c - the ARC sealing key (arc_seal, issue 17): loaded
 * into the world by world.c with the key store's file checks, and every
 * setup that cannot seal refused at load with a clear problem. Files are
 * written into a fresh mkdtemp directory, removed at the end.
 * (Apart from test_config.c, which is long enough.)
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "world.h"

struct fixture {
	char	 dir[256];
	EVP_PKEY *rsa, *ed;
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
write_key(const char *path, EVP_PKEY *k, mode_t mode)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
make_dir(const struct fixture *fx, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fx->dir, rel);
	if (mkdir(path, 0700) != 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* fx->dir + "/" + rel, in a static buffer per slot. */
static const char *
in_dir(const struct fixture *fx, const char *rel, int slot)
{
	static char paths[4][512];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", fx->dir, rel);
	return paths[slot];
}

/* Write text as a config file named rel and build its world. */
static struct world *
load_text(const struct fixture *fx, const char *rel, const char *text,
    struct buf *problems)
{
	const char *path = in_dir(fx, rel, 0);

	write_file(path, text, 0600);
	buf_reset(problems);
	return world_load(path, problems);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/inkan-test-arckey-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	fx->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	fx->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (fx->rsa == NULL || fx->ed == NULL) {
		rmdir(fx->dir);
		EVP_PKEY_free(fx->rsa);
		EVP_PKEY_free(fx->ed);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int rc;

	rc = nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	EVP_PKEY_free(fx->rsa);
	EVP_PKEY_free(fx->ed);
	free(fx);
	return rc == 0 ? 0 : -1;
}

/*
 * arc_seal = yes: the sealing key is loaded into the world, and a setup
 * that cannot seal is refused at load with one clear problem: no domain
 * or selector, no key, a key group or others can read, one that is not
 * RSA (RFC 8617: rsa-sha256 only), or not a key at all.
 */
static void
test_arc_seal_key(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char	*name;
		const char	*conf;	/* %s: the fixture directory */
		int		 kind;	/* 0 RSA, 1 Ed25519, 2 text, -1 none */
		mode_t		 mode;
		const char	*want;	/* NULL: accepted */
	} t[] = {
		{ "key_dir layout", "key_dir = %s/a0\n", 0, 0600, NULL },
		{ "arc_seal_key file", "arc_seal_key = %s/a1/mx.example/arc."
		    "private\n", 0, 0600, NULL },
		{ "no domain", "key_dir = %s/a2\narc_seal_domain =\n", 0, 0600,
		    "needs arc_seal_domain" },
		{ "no key anywhere", "#%s\n", -1, 0600, "needs arc_seal_key" },
		{ "missing file", "key_dir = %s/a4\n", -1, 0600,
		    "cannot open key" },
		{ "group-readable", "key_dir = %s/a5\n", 0, 0640, "chmod" },
		{ "Ed25519 key", "key_dir = %s/a6\n", 1, 0600, "needs an RSA key" },
		{ "not a key", "key_dir = %s/a7\n", 2, 0600, "arc.private" },
	};
	struct buf problems = BUF_INIT, text = BUF_INIT, sub = BUF_INIT;
	char rel[64], dir[8];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct world *w;

		print_message("case: %s\n", t[i].name);
		snprintf(dir, sizeof(dir), "a%zu", i);
		make_dir(fx, dir);
		buf_reset(&sub);
		buf_printf(&sub, "%s/mx.example", dir);
		make_dir(fx, buf_str(&sub));
		buf_adds(&sub, "/arc.private");
		if (t[i].kind == 2)
			write_file(in_dir(fx, buf_str(&sub), 2), "not a key\n",
			    t[i].mode);
		else if (t[i].kind >= 0)
			write_key(in_dir(fx, buf_str(&sub), 2), t[i].kind == 0 ?
			    fx->rsa : fx->ed, t[i].mode);
		buf_reset(&text);
		buf_adds(&text, "arc_seal = yes\narc_seal_selector = arc\n");
		if (strstr(t[i].conf, "arc_seal_domain") == NULL)
			buf_adds(&text, "arc_seal_domain = mx.example\n");
		buf_printf(&text, t[i].conf, fx->dir);
		snprintf(rel, sizeof(rel), "arcseal%zu.conf", i);
		w = load_text(fx, rel, buf_str(&text), &problems);
		if (t[i].want == NULL) {
			if (w == NULL)
				print_message("%s\n", buf_str(&problems));
			assert_non_null(w);
			assert_non_null(w->arc_key);
			world_unref(w);
			continue;
		}
		if (w != NULL) {
			world_unref(w);
			fail_msg("%s: accepted", t[i].name);
		}
		if (strstr(buf_str(&problems), t[i].want) == NULL) {
			print_message("want \"%s\", got:\n%s\n", t[i].want,
			    buf_str(&problems));
			fail();
		}
	}
	/* arc_seal = no (the default) loads no key, whatever else is set */
	{
		struct world *w = load_text(fx, "arcoff.conf",
		    "arc_seal_selector = arc\n", &problems);

		assert_non_null(w);
		assert_null(w->arc_key);
		world_unref(w);
	}
	buf_free(&problems);
	buf_free(&text);
	buf_free(&sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arc_seal_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
