/* SPDX-License-Identifier: ISC */
/*
 * pid_file.h - pid_file: the daemon's process id in a file, for a service
 * manager other than systemd (an rc script, monit). Opened before the
 * daemon detaches (so a failure reaches the terminal), written by the
 * process that stays, removed at a clean stop when it still names us.
 */
#ifndef INKAN_PID_FILE_H
#define INKAN_PID_FILE_H

#include <sys/types.h>

#include "err.h"

/*
 * Refuse when path names a live inkan-milter (another start would run two
 * daemons for one socket); a file left by one that died is taken over.
 * Then create or open path for writing. The descriptor, or -1 and e.
 */
int	 pid_file_open(const char *path, struct err *e);
/* Write this process's id into fd (from pid_file_open) and close it. */
int	 pid_file_write(int fd, const char *path, struct err *e);
/*
 * Remove path if it holds this process's id. Best effort: after the
 * privilege drop the directory may not let us (the file then stays, and
 * the next start takes it over since no inkan-milter runs under that id).
 * 0, or -1 with e.
 */
int	 pid_file_remove(const char *path, struct err *e);

#endif
