/* SPDX-License-Identifier: ISC */
/*
 * keys_load.c - how long loading the signing keys takes, and how much
 * memory it holds, for a key_dir of 1,000 to 100,000 domains (issue 19).
 * Run by hand (tests/bench/README); it prints a table and asserts nothing.
 *
 * For each key type and domain count a child process (so one run's memory
 * does not count in the next) writes DIR/dNNNNNN.example/s1.private into a
 * fresh mkdtemp directory, then measures, with the wall clock, the
 * process's CPU time (getrusage) and VmRSS/VmHWM from /proc/self/status:
 *   start   keystore_load_config, as inkan-milter's start does it
 *   reload  a second load while the first store is alive, as SIGHUP does
 *   first   the first lookup of LOOKUPS domains (a decode each on a lazy
 *           store), and a second lookup of the same (the cache)
 *   check   the load -n and inkan-keys do (every key decoded)
 * Generating RSA-2048 keys is slow, so a handful of distinct keys is made
 * and their PEM bytes copied: every file is still read and parsed.
 * The files were just written, so they are in the page cache: a warm load.
 *
 * usage: keys_load [-q] [-t rsa|ed25519|both] [-k DISTINCT] [N ...]
 *        (default: both types, 1000 10000 100000 domains; -q: start and
 *        reload only, for perf record)
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "config.h"
#include "keystore.h"

#define LOOKUPS	1000	/* domains looked up for the first-use figure */

static bool quick;	/* -q */

struct sample {
	double	wall, cpu;	/* seconds */
	long	rss, hwm;	/* kB */
};

static double
now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* VmRSS and VmHWM of this process, in kB. */
static void
mem(long *rss, long *hwm)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	*rss = *hwm = -1;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static void
take(struct sample *s)
{
	s->wall = now_wall();
	s->cpu = now_cpu();
	mem(&s->rss, &s->hwm);
}

static void
die(const char *what)
{
	fprintf(stderr, "keys_load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The PEM bytes of k distinct keys of one type. */
static struct buf *
make_pems(const char *type, size_t k)
{
	struct buf *pems = calloc(k, sizeof(*pems));
	size_t i;

	if (pems == NULL)
		die("calloc");
	for (i = 0; i < k; i++) {
		EVP_PKEY *key = strcmp(type, "rsa") == 0 ?
		    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
		    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		BIO *b = BIO_new(BIO_s_mem());
		char *data;
		long len;

		if (key == NULL || b == NULL ||
		    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL,
		    NULL) != 1)
			die("key generation");
		len = BIO_get_mem_data(b, &data);
		buf_add(&pems[i], data, (size_t)len);
		BIO_free(b);
		EVP_PKEY_free(key);
	}
	return pems;
}

static void
write_dir(const char *dir, size_t n, const struct buf *pems, size_t k)
{
	char path[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct buf *p = &pems[i % k];
		int fd;

		snprintf(path, sizeof(path), "%s/d%06zu.example", dir, i);
		if (mkdir(path, 0700) == -1)
			die(path);
		snprintf(path, sizeof(path), "%s/d%06zu.example/s1.private",
		    dir, i);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) == -1 || write(fd, p->data, p->len) !=
		    (ssize_t)p->len || close(fd) == -1)
			die(path);
	}
}

static struct keystore *
load(const struct config *c, bool full, const struct keystore *running)
{
	struct buf problems = BUF_INIT;
	struct keystore *ks;
	int n;

	if ((ks = keystore_load_config(c, full ? KEYSTORE_CHECK_ALL :
	    KEYSTORE_CHECK_FILES, running, &problems, &n)) == NULL || n != 0) {
		fprintf(stderr, "keys_load: load: %s\n", buf_str(&problems));
		exit(1);
	}
	buf_free(&problems);
	return ks;
}

/* Look up LOOKUPS domains spread over the n; fails if one has no key. */
static void
lookups(const struct keystore *ks, size_t n)
{
	struct dkim_sign_key out[2];
	struct err e;
	char dom[64];
	size_t i, step = n / LOOKUPS > 0 ? n / LOOKUPS : 1;

	for (i = 0; i < n && i / step < LOOKUPS; i += step) {
		snprintf(dom, sizeof(dom), "d%06zu.example", i);
		if (keystore_lookup(ks, "x", dom, false, out, 2, &e) != 1) {
			fprintf(stderr, "keys_load: no key for %s\n", dom);
			exit(1);
		}
		keystore_release(out, 1);
	}
}

static void
row(const char *type, size_t n, const char *what, const struct sample *a,
    const struct sample *b, size_t per)
{
	printf("%-8s %7zu  %-7s %9.3f %9.3f %9.1f %9.1f %9.1f", type, n, what,
	    b->wall - a->wall, b->cpu - a->cpu, (double)b->rss / 1024,
	    (double)(b->rss - a->rss) / 1024, (double)b->hwm / 1024);
	if (per > 0)
		printf(" %9.1f", (b->wall - a->wall) * 1e6 / (double)per);
	printf("\n");
	fflush(stdout);
}

static void
one(const char *type, size_t n, size_t k)
{
	struct buf problems = BUF_INIT, conf = BUF_INIT;
	struct sample s0, s1, s2, s3, s4, s5;
	struct keystore *ks, *ks2;
	struct config *c;
	const char *tmp = getenv("TMPDIR");
	struct buf *pems;
	char dir[512], keys[600], cpath[600];
	size_t i, nl = n < LOOKUPS ? n : LOOKUPS;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/inkan-bench-keys-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(cpath, sizeof(cpath), "%s/inkan.conf", dir);
	if (mkdir(keys, 0700) == -1)
		die(keys);
	pems = make_pems(type, k);
	write_dir(keys, n, pems, k);
	for (i = 0; i < k; i++)
		buf_wipe(&pems[i]);
	free(pems);
	buf_printf(&conf, "key_dir = %s\n", keys);
	if ((f = fopen(cpath, "we")) == NULL ||
	    fputs(buf_str(&conf), f) == EOF || fclose(f) == EOF)
		die(cpath);
	if ((c = config_load(cpath, &problems)) == NULL) {
		fprintf(stderr, "keys_load: %s", buf_str(&problems));
		exit(1);
	}

	take(&s0);
	ks = load(c, false, NULL);
	take(&s1);
	row(type, n, "start", &s0, &s1, 0);
	ks2 = load(c, false, ks);
	take(&s2);
	row(type, n, "reload", &s1, &s2, 0);
	keystore_free(ks);
	ks = ks2;
	if (quick) {
		keystore_free(ks);
		goto done;
	}
	take(&s2);
	lookups(ks, n);
	take(&s3);
	row(type, n, "first", &s2, &s3, nl);
	lookups(ks, n);
	take(&s4);
	row(type, n, "again", &s3, &s4, nl);
	keystore_free(ks);
	take(&s4);
	ks = load(c, true, NULL);
	take(&s5);
	row(type, n, "check", &s4, &s5, 0);
	keystore_free(ks);
done:

	config_unref(c);
	buf_free(&conf);
	buf_free(&problems);
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1)
		die("remove the key directory");
}

int
main(int argc, char **argv)
{
	static const size_t def[] = { 1000, 10000, 100000 };
	const char *types[2] = { "rsa", "ed25519" };
	size_t ntypes = 2, k = 8, t, i;
	int ch;

	while ((ch = getopt(argc, argv, "qt:k:")) != -1) {
		switch (ch) {
		case 'q':
			quick = true;
			break;
		case 't':
			if (strcmp(optarg, "both") != 0) {
				types[0] = optarg;
				ntypes = 1;
			}
			break;
		case 'k':
			k = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: keys_load [-q] [-t rsa|ed25519|"
			    "both] [-k DISTINCT] [N ...]\n");
			return 2;
		}
	}
	if (k == 0)
		k = 1;
	printf("%-8s %7s  %-7s %9s %9s %9s %9s %9s %9s\n", "type", "domains",
	    "step", "wall s", "CPU s", "RSS MB", "+RSS MB", "HWM MB",
	    "us/domain");
	fflush(stdout);
	for (t = 0; t < ntypes; t++)
		for (i = 0; i < (optind < argc ? (size_t)(argc - optind) :
		    sizeof(def) / sizeof(def[0])); i++) {
			size_t n = optind < argc ?
			    strtoul(argv[optind + (int)i], NULL, 10) : def[i];
			pid_t pid;
			int st;

			if ((pid = fork()) == -1)
				die("fork");
			if (pid == 0) {
				one(types[t], n, k);
				_exit(0);
			}
			while (waitpid(pid, &st, 0) == -1)
				if (errno != EINTR)
					die("waitpid");
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				return 1;
		}
	return 0;
}
