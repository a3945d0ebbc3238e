/* SPDX-License-Identifier: ISC */
/*
 * dns_zone_int.h - what the three files of the --dns-zone backend share:
 * the lexer (dns_zone_lex.c), the record reader (dns_zone_read.c) and the
 * answering (dns_zone.c). Not for use outside dns_zone*.c.
 */
#ifndef INKAN_DNS_ZONE_INT_H
#define INKAN_DNS_ZONE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "buf.h"
#include "dns.h"

/* The whole file, read into memory before parsing. */
#define ZONE_MAX_FILE		(256 * 1024 * 1024)
/* RFC 1035 3.2.1: RDLENGTH is 16 bits (a TXT record's strings + lengths). */
#define ZONE_MAX_RDATA		65535
/*
 * ldns reads an RR's rdata text into a buffer of LDNS_MAX_PACKETLEN bytes
 * and cuts what does not fit without saying so: longer text is refused
 * here. TXT and SPF rdata are handed to ldns string by string instead, so
 * they may be longer (up to ZONE_MAX_RDATA in wire form).
 */
#define ZONE_MAX_RDATA_TEXT	(LDNS_MAX_PACKETLEN - 1)
/* One record's tokens (every TXT string is one, and at least a byte). */
#define ZONE_MAX_TOKENS		(ZONE_MAX_RDATA + 8)
/* RFC 2181 8: a TTL is at most 2^31 - 1. */
#define ZONE_MAX_TTL		2147483647UL
/* The TTL of records written without one, when there is no $TTL. */
#define ZONE_DEFAULT_TTL	3600
/* Pseudo-types for "name TIMEOUT" and "name SERVFAIL"; not RR numbers. */
#define ZONE_TIMEOUT		(-1)
#define ZONE_SERVFAIL		(-2)

struct zone_rec {
	/* the owner in wire form (RFC 1035 3.1), lowercased */
	uint8_t		*owner;
	size_t		 owner_len;
	/* the RR type number, ZONE_TIMEOUT or ZONE_SERVFAIL */
	int		 type;
	/* the place in the file: answers keep the file's order */
	size_t		 seq;
	/*
	 * A name in the rdata that inkan cannot hand out as text (a '.',
	 * '\' or a byte outside '!'..'~' inside a label): answers holding
	 * it are SERVFAIL, as dns_unbound.c answers such records.
	 */
	bool		 unusable;
	/* CNAME: the target in wire form, lowercased, for following */
	uint8_t		*target;
	size_t		 target_len;
	/* the answer, for the types of enum dns_type (others: type only) */
	struct dns_rr	 rr;
};

struct zone {
	struct zone_rec	*rec;
	size_t		 n, cap;
};

/* A zone query is its answer, computed at start. */
struct zone_query {
	struct dns_result	 res;
};

/* Tokens of one record (one line, or more inside parentheses). */
enum tok_kind {
	TOK_WORD,	/* a run of bytes up to a delimiter; escapes kept */
	TOK_QUOTED,	/* a "..." string; p/len are inside the quotes */
	TOK_EOL,	/* the end of a record */
	TOK_EOF,
	TOK_ERR,	/* the cursor's error is set */
};

struct tok {
	enum tok_kind	 kind;
	const char	*p;
	size_t		 len;
	size_t		 line;
	bool		 col0;	/* starts its physical line */
};

/* The cursor over the whole input, with a sticky error (STYLE.md 5). */
struct zcur {
	const char	*p, *end;
	const char	*line_start;
	size_t		 line;
	bool		 paren;		/* inside ( ... ) */
	size_t		 paren_line;
	bool		 failed;
	size_t		 err_line;
	char		 err[200];
};

/* The reader's state between records. */
struct zread {
	struct zcur	 c;
	struct zone	*z;
	ldns_rdf	*origin;	/* $ORIGIN; the root at first */
	ldns_rdf	*prev;		/* the last owner, for a blank column */
	uint32_t	 ttl;		/* $TTL, or ZONE_DEFAULT_TTL */
	struct tok	*tok;		/* the current record's tokens */
	size_t		 ntok, captok;
	struct buf	 text;		/* scratch: text handed to ldns */
};

/* At most this much of a token goes into an error message. */
#define TOK_SHOW(len)	((int)((len) > 64 ? 64 : (len)))

/* dns_zone_lex.c */

/* Set the cursor's sticky error (the first one stays). */
void	 dns_zone_lex_error(struct zcur *, size_t line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Enter the line at c->p: count it and check its length. */
void	 dns_zone_lex_newline(struct zcur *);
/*
 * The tokens of the next record into r->tok. Returns false at the end of
 * the input or after an error; true with r->ntok == 0 for an empty line.
 */
bool	 dns_zone_lex_record(struct zread *);

/* dns_zone_read.c */

/*
 * Read a master file of len bytes at data into a zone sorted by owner
 * (dns_zone_read_wire_cmp), then file order; src names the input in
 * error messages. NULL with e filled in.
 */
struct zone *dns_zone_read(const char *src, const char *data, size_t len,
	    struct err *e);
void	 dns_zone_read_free(struct zone *);
/* Names in wire form, in any fixed order (the array is sorted by it). */
int	 dns_zone_read_wire_cmp(const uint8_t *a, size_t alen,
	    const uint8_t *b, size_t blen);

#endif
