/* SPDX-License-Identifier: ISC */
/*
 * unpack.h - from the bytes of something that arrived (a report file, a
 * gzip or zip of one, a mail message carrying them) to the XML documents
 * inside, each handed to a sink with a label saying where it came from.
 */
#ifndef INKAN_RCV_UNPACK_H
#define INKAN_RCV_UNPACK_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* Caps against decompression bombs (each named in the reasons). */
#define RCV_MAX_UNPACKED	(32u << 20)	/* bytes out of one gzip or zip */
#define RCV_MAX_ZIP_ENTRIES	16	/* a report zip holds one */
#define RCV_MAX_INPUT		(64u << 20)	/* bytes of one file or message */

/*
 * Where the documents go. Each function returns 0 to go on or -1 (e
 * filled) for a failure that stops everything (no memory, the database).
 * label is valid during the call only.
 */
struct rcv_sink {
	/* An XML document found (not yet parsed). */
	int	(*xml)(void *arg, const char *label, const void *p, size_t len,
		    struct err *e);
	/* Something that should have been a report but cannot be read. */
	int	(*refused)(void *arg, const char *label, const char *reason,
		    struct err *e);
	void	*arg;
};

/* What the bytes are, by their content. */
enum rcv_kind { RCV_GZIP, RCV_ZIP, RCV_XML, RCV_OTHER };
enum rcv_kind rcv_kind(const void *p, size_t len);

/*
 * The report(s) in len bytes at p: gzip, zip or XML, by their content;
 * anything else is a mail message when message is true (mime.c), else
 * refused. Returns 0, or -1 if a sink function failed.
 */
int	 rcv_unpack(const struct rcv_sink *, const char *label, const void *p,
	    size_t len, bool message, struct err *e);

#endif
