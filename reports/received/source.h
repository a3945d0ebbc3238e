/* SPDX-License-Identifier: ISC */
/*
 * source.h - what `inkan-reports import` is given: a file (a report, a
 * gzip or zip of one, a mail message, an mbox), a maildir, a folder of
 * such files, or "-" for standard input.
 */
#ifndef INKAN_RCV_SOURCE_H
#define INKAN_RCV_SOURCE_H

#include "unpack.h"

#define RCV_MAX_DIR_FILES	100000	/* files read from one folder */

/*
 * Read path and hand every report found to the sink:
 *   "-"          standard input, as a file
 *   a maildir    (a folder with cur/ or new/): each message of cur/ and new/
 *   a folder     each regular file in it (not recursive)
 *   a file       an mbox if it starts with "From ", else by its content
 *                (rcv_unpack, mail messages included)
 * A file that cannot be read is refused with the reason. Returns 0, or -1
 * if a sink function failed.
 */
int	 rcv_source(const struct rcv_sink *, const char *path, struct err *e);

/* The messages of an mbox in len bytes at p (for the tests and stdin). */
int	 rcv_source_mbox(const struct rcv_sink *, const char *label,
	    const char *p, size_t len, struct err *e);

#endif
