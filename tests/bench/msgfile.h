/* SPDX-License-Identifier: ISC */
/*
 * msgfile.h - the load client's corpus: a message read from a file (or
 * made up at a given size) and split the way an MTA hands it to a milter:
 * header fields (name, value with its leading white space, folds as LF
 * as Postfix and Sendmail send them) and the body with CRLF line ends.
 * Owner: the caller, through msgfile_free.
 */
#ifndef INKAN_BENCH_MSGFILE_H
#define INKAN_BENCH_MSGFILE_H

#include <stddef.h>
#include <stdio.h>

struct msgfield {
	char	*name;
	char	*value;		/* as after the colon: " value\n\tmore" */
};

struct msgfile {
	struct msgfield	*f;
	size_t		 nf;
	unsigned char	*body;	/* CRLF line ends */
	size_t		 blen;
	size_t		 size;	/* the message as read, in bytes */
};

/* Read and split path; 0, or -1 with a message on stderr. */
int	 msgfile_load(struct msgfile *, const char *path);
void	 msgfile_free(struct msgfile *);
/*
 * Write a plain-text message of about size bytes (CRLF line ends) from
 * `from` to `to` on out. 0 or -1.
 */
int	 msgfile_generate(FILE *out, size_t size, const char *from,
	    const char *to);

#endif
