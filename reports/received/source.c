/* SPDX-License-Identifier: ISC */
/*
 * source.c - the inputs of `inkan-reports import`: files, folders,
 * maildirs (cur/ and new/, the maildir(5) layout), mboxes (messages
 * starting at "From " lines after an empty line, the mboxo/mboxrd
 * convention) and standard input, each read whole with the cap
 * RCV_MAX_INPUT. Files of a folder go in name order, so a run is
 * repeatable; names starting with "." (maildir's tmp files, editors'
 * leftovers) are skipped.
 * Not here: what a file holds (unpack.c, mime.c).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "source.h"

/* Read fd whole into b: NULL, or the reason it cannot be. */
static const char *
slurp(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return strerror(errno);
		if (n == 0)
			break;
		if (b->len + (size_t)n > RCV_MAX_INPUT)
			return "larger than 64 MiB";
		buf_add(b, chunk, (size_t)n);
		if (buf_failed(b))
			return "out of memory";
	}
	return NULL;
}

static bool
is_mbox(const char *p, size_t len)
{
	return len >= 5 && memcmp(p, "From ", 5) == 0;
}

int
rcv_source_mbox(const struct rcv_sink *s, const char *label, const char *p,
    size_t len, struct err *e)
{
	const char *end = p + len, *msg = NULL, *q, *nl;
	char sub[1100];
	size_t n = 0;
	bool after_blank = true;
	int rc = 0;

	for (q = p; q < end && rc == 0; q = nl) {
		nl = memchr(q, '\n', (size_t)(end - q));
		nl = nl != NULL ? nl + 1 : end;
		if (after_blank && nl - q >= 5 && memcmp(q, "From ", 5) == 0) {
			if (msg != NULL) {
				snprintf(sub, sizeof(sub), "%s#%zu", label, n);
				rc = rcv_unpack(s, sub, msg,
				    (size_t)(q - msg), true, e);
			}
			n++;
			msg = nl;	/* the message starts after the line */
		}
		after_blank = nl - q == 1 || (nl - q == 2 && q[0] == '\r');
	}
	if (msg != NULL && rc == 0) {
		snprintf(sub, sizeof(sub), "%s#%zu", label, n);
		rc = rcv_unpack(s, sub, msg, (size_t)(end - msg), true, e);
	}
	return rc;
}

static int
from_fd(const struct rcv_sink *s, const char *label, int fd, struct err *e)
{
	struct buf b = BUF_INIT;
	const char *why;
	int rc;

	if ((why = slurp(fd, &b)) != NULL) {
		buf_free(&b);
		return s->refused(s->arg, label, why, e);
	}
	if (is_mbox(b.data != NULL ? b.data : "", b.len))
		rc = rcv_source_mbox(s, label, b.data, b.len, e);
	else
		rc = rcv_unpack(s, label, b.data != NULL ? b.data : "", b.len,
		    true, e);
	buf_free(&b);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int source_path(const struct rcv_sink *, const char *, bool,
    struct err *);

/* Each regular file of dir, in name order. */
static int
folder(const struct rcv_sink *s, const char *dir, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **nn, path[4096];
	size_t n = 0, i;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return s->refused(s->arg, dir, strerror(errno), e);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n >= RCV_MAX_DIR_FILES) {
			rc = s->refused(s->arg, dir, "more than 100000 files; "
			    "the rest skipped", e);
			break;
		}
		if ((nn = reallocarray(names, n + 1, sizeof(*names))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			names = nn != NULL ? nn : names;
			rc = err_set(e, "out of memory");
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			rc = source_path(s, path, false, e);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static bool
is_dir(const char *dir, const char *sub)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* path; top is true for a path given on the command line. */
static int
source_path(const struct rcv_sink *s, const char *path, bool top,
    struct err *e)
{
	struct stat st;
	char sub[4096];
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		rc = s->refused(s->arg, path, strerror(errno), e);
		if (fd != -1)
			close(fd);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		if (!top)
			return 0;	/* folders in folders are not walked */
		if (is_dir(path, "cur") || is_dir(path, "new")) {
			rc = 0;
			snprintf(sub, sizeof(sub), "%s/cur", path);
			if (is_dir(path, "cur"))
				rc = folder(s, sub, e);
			snprintf(sub, sizeof(sub), "%s/new", path);
			if (rc == 0 && is_dir(path, "new"))
				rc = folder(s, sub, e);
			return rc;
		}
		return folder(s, path, e);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return s->refused(s->arg, path, "not a regular file", e);
	}
	if ((uint64_t)st.st_size > RCV_MAX_INPUT) {
		close(fd);
		return s->refused(s->arg, path, "larger than 64 MiB", e);
	}
	rc = from_fd(s, path, fd, e);
	close(fd);
	return rc;
}

int
rcv_source(const struct rcv_sink *s, const char *path, struct err *e)
{
	if (strcmp(path, "-") == 0)
		return from_fd(s, "-", STDIN_FILENO, e);
	return source_path(s, path, true, e);
}
