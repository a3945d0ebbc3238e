/* SPDX-License-Identifier: ISC */
/*
 * pid_file.c - the pid file (see pid_file.h). A pid is "ours" when the
 * process lives and its name (Linux /proc/PID/comm) is inkan-milter, so a
 * stale file whose number the kernel has given to another program does
 * not stop the start.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pid_file.h"

/* A pid file is one number and a newline; more is not ours. */
#define PIDFILE_MAX	32

/* The pid path holds, or 0 when it holds none (absent, empty, garbage). */
static pid_t
read_pid(const char *path)
{
	char text[PIDFILE_MAX + 1], *end;
	ssize_t n;
	long v;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, text, PIDFILE_MAX);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || (*end != '\n' && *end != '\0') ||
	    v <= 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/* Is pid a running inkan-milter? */
static bool
running_milter(pid_t pid)
{
	char path[64], comm[32];
	size_t n;
	FILE *f;

	if (kill(pid, 0) == -1 && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return true;	/* alive; no /proc to tell more */
	n = fread(comm, 1, sizeof(comm) - 1, f);
	fclose(f);
	comm[n] = '\0';
	/* comm is cut at 15 bytes; "inkan-milter" fits */
	return strncmp(comm, "inkan-milter", 12) == 0;
}

int
pid_file_open(const char *path, struct err *e)
{
	pid_t pid = read_pid(path);
	int fd;

	if (pid > 0 && pid != getpid() && running_milter(pid))
		return err_set(e, "pid_file %s: inkan-milter already runs as "
		    "process %ld", path, (long)pid);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1)
		return err_set(e, "pid_file %s: %s", path, strerror(errno));
	return fd;
}

int
pid_file_write(int fd, const char *path, struct err *e)
{
	char text[PIDFILE_MAX];
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == -1 || write(fd, text, (size_t)len) != len) {
		err_set(e, "pid_file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1)
		return err_set(e, "pid_file %s: %s", path, strerror(errno));
	return 0;
}

int
pid_file_remove(const char *path, struct err *e)
{
	if (read_pid(path) != getpid())
		return 0;	/* not ours (any more): leave it */
	if (unlink(path) == -1 && errno != ENOENT)
		return err_set(e, "cannot remove pid_file %s: %s; the next "
		    "start takes it over", path, strerror(errno));
	return 0;
}
