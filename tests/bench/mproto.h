/* SPDX-License-Identifier: ISC */
/*
 * mproto.h - the MTA side of the milter protocol (version 6), for the
 * load client only. libmilter ships the filter side alone, so this is
 * written from the protocol: a packet is a 32-bit length in network
 * order, one command byte and the data (libmilter/mfdef.h names the
 * bytes). One mconn is one socket to one milter; it owns its buffers.
 */
#ifndef INKAN_BENCH_MPROTO_H
#define INKAN_BENCH_MPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What we offer at negotiation: everything Postfix 3.x offers. */
#define MPROTO_VERSION		6
#define MPROTO_ACTIONS		0x1ffUL		/* every SMFIF_* action */
#define MPROTO_STEPS		0x1fffffUL	/* every SMFIP_NO*, NR_*, SKIP */
/* Body chunks: libmilter's MILTER_CHUNK_SIZE, as Sendmail and Postfix send. */
#define MPROTO_CHUNK		65535
/* Longest reply packet we accept (a replaced body chunk is the largest). */
#define MPROTO_MAX_REPLY	(1024 * 1024)

struct mconn {
	int		 fd;
	unsigned long	 version;
	unsigned long	 actions;	/* SMFIF_* the milter asked for */
	unsigned long	 steps;		/* SMFIP_* the milter chose */
	unsigned char	*rbuf;		/* received bytes, not yet parsed */
	size_t		 rpos, rlen, rcap;
	unsigned char	*reply;		/* data of the last reply packet */
	size_t		 replycap;
	unsigned char	*sbuf;		/* one outgoing packet */
	size_t		 scap;
	char		 err[160];	/* why the last call failed */
};

/*
 * Connect to spec (unix:PATH, local:PATH, inet:PORT@HOST or a bare path)
 * and negotiate. Replies slower than timeout_s seconds fail the call.
 * 0, or -1 with c->err set; mconn_close(c) is safe either way.
 */
int	 mconn_open(struct mconn *c, const char *spec, int timeout_s);
void	 mconn_close(struct mconn *c);

/* Send one packet: cmd and len bytes of data. 0 or -1. */
int	 mconn_send(struct mconn *c, char cmd, const void *data, size_t len);
/*
 * Send SMFIC_MACRO for stage cmd: names[i] = values[i], n pairs.
 */
int	 mconn_macros(struct mconn *c, char cmd, const char *const *names,
	    const char *const *values, size_t n);
/*
 * Read one reply packet: *cmd is its code, *data (valid until the next
 * read) and *len its data. 0 or -1.
 */
int	 mconn_read(struct mconn *c, char *cmd, const unsigned char **data,
	    size_t *len);

/* Does the milter want step flag `noflag` sent / a reply after it? */
bool	 mconn_skips(const struct mconn *c, unsigned long noflag);

#endif
