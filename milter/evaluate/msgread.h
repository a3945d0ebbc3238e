/* SPDX-License-Identifier: ISC */
/*
 * msgread.h - the one message reader: split a message file, or a buffer
 * holding one, into header fields and body the way an MTA hands them to a
 * milter, and pass them to callbacks. --evaluate (evaluate.c), the
 * evaluate fuzzer (tests/fuzz/fuzz_evaluate.c) and the load client's
 * corpus (tests/bench/msgfile.c) all read messages through it.
 *
 * The header block: a line that starts with white space continues the
 * field before it (RFC 5322 2.2.3 folding); an empty line ends the block,
 * and so does a line that is not a field (no colon): that line is the
 * first of the body, as in an MTA. Lines may end in LF or CRLF. A field
 * name is what precedes its first colon, white space before the colon
 * kept ("From : x", RFC 5322 4.5 obsolete syntax; hdr_name_len() drops
 * it where a name is compared).
 */
#ifndef INKAN_MSGREAD_H
#define INKAN_MSGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct msgread_cb {
	/*
	 * One header field: name (nlen bytes) before its first colon, value
	 * (vlen bytes) after it, folds and the field's last line end
	 * included, as in the message. 0, or -1: the reader goes on with the
	 * fields, then returns -1 without calling eoh or body.
	 */
	int	(*field)(void *arg, const char *name, size_t nlen,
		    const char *value, size_t vlen);
	/*
	 * The end of the header block; sep (seplen bytes) is the empty line
	 * that ended it, line end included, or empty when the input ended
	 * or a line that is not a field did (that line starts the body).
	 * -1 stops the reader. May be NULL.
	 */
	int	(*eoh)(void *arg, const char *sep, size_t seplen);
	/* A chunk of the body, as in the message; -1 stops the reader. */
	int	(*body)(void *arg, const unsigned char *, size_t);
};

/*
 * Read f from where it stands to its end; the body goes in chunks and is
 * never held whole. *crlf (may be NULL) tells whether the first line ends
 * in CRLF. 0, or -1 when a callback failed or memory ran out; a read
 * error is the caller's to see with ferror(f).
 */
int	 msgread_file(FILE *f, const struct msgread_cb *, void *arg,
	    bool *crlf);
/* The same over len bytes at p; the body is one chunk, not copied. */
int	 msgread_mem(const char *p, size_t len, const struct msgread_cb *,
	    void *arg, bool *crlf);

#endif
