/* SPDX-License-Identifier: ISC */
/*
 * dns.h - the one resolver interface of inkan (DESIGN.md, STYLE.md 1).
 * The core is handed a struct dns_resolver by its caller and never talks to
 * the network itself. A lookup is started, runs (possibly concurrently with
 * others: the libunbound backend starts every DKIM key and DMARC lookup at
 * end of headers) and is then waited for with a deadline or cancelled.
 * Backends: dns_zone.c (--dns-zone, answers from a file, for tests and
 * --evaluate) and dns_unbound.c (libunbound, production).
 *
 * Outcomes and failures (STYLE.md 3): NXDOMAIN, NODATA, SERVFAIL and a
 * timeout are outcomes, returned in struct dns_result; -1 with struct err
 * means the lookup could not be done at all (no memory, a backend error).
 *
 * Ownership: the caller owns the resolver (dns_resolver_free), each query
 * handle until it is ended by exactly one dns_wait() or dns_cancel(), and
 * each struct dns_result (dns_result_free). Results are deep copies: they
 * stay valid after the resolver is freed.
 *
 * Threads: one resolver may be used from several threads at once (the
 * milter runs a thread per connection); a query handle belongs to one
 * thread. No globals, no logging.
 */
#ifndef INKAN_DNS_H
#define INKAN_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct err;

/* The RR types inkan asks for; the values are the RR type numbers. */
enum dns_type {
	DNS_A = 1,
	DNS_NS = 2,
	DNS_CNAME = 5,
	DNS_PTR = 12,
	DNS_MX = 15,
	DNS_TXT = 16,
	DNS_AAAA = 28,
	DNS_SPF = 99,	/* RFC 7208 3.1: never queried for SPF any more */
};

enum dns_status {
	DNS_OK,		/* records in the answer */
	DNS_NXDOMAIN,	/* the name does not exist */
	DNS_NODATA,	/* the name exists, no record of the asked type */
	DNS_SERVFAIL,	/* the resolver could not get an answer */
	DNS_TIMEOUT,	/* no answer before the deadline */
	DNS_ERROR,	/* the backend failed internally (see dns_wait) */
};

/*
 * Presentation names are at most 253 bytes without the trailing dot
 * (RFC 1035 2.3.4: 255 bytes in wire form), labels at most 63.
 */
#define DNS_NAME_MAX	253
#define DNS_LABEL_MAX	63
/* RFC 1035 3.3: a character-string is a length byte and up to 255 bytes. */
#define DNS_TXT_STRING_MAX	255

/* One character-string of a TXT or SPF record: a view into dns_rr.data. */
struct dns_txt_piece {
	const unsigned char	*data;
	size_t			 len;
};

/* One resource record of an answer. Only the fields of its type are set. */
struct dns_rr {
	enum dns_type		 type;
	uint32_t		 ttl;
	/*
	 * A, AAAA: the address in network byte order (4 or 16 bytes).
	 * TXT, SPF: the character-strings joined with no separator, as
	 * DKIM (RFC 6376 3.6.2.2) and SPF (RFC 7208 3.3) want them. May
	 * hold NUL bytes: use len. data[len] is always a NUL (not counted)
	 * so text callers may treat it as a C string when they know it has
	 * no NUL inside.
	 */
	unsigned char		*data;
	size_t			 len;
	/* TXT, SPF: the individual strings, in order (views into data). */
	struct dns_txt_piece	*pieces;
	size_t			 npieces;
	/* MX: the preference. */
	uint16_t		 pref;
	/*
	 * MX exchange, PTR, CNAME, NS target; no trailing dot. An MX
	 * exchange of "" is the root: a null MX (RFC 7505).
	 */
	char			*name;
};

/*
 * The answer to one query. After a CNAME chain the records are those of
 * the chain's end (of the asked type). secure is the DNSSEC AD state:
 * true only when the backend validated the answer (never for zone files).
 */
struct dns_result {
	enum dns_status		 status;
	bool			 secure;
	/*
	 * Microseconds from dns_start() to the answer, or to the timeout;
	 * 0 from backends that answer at once (zone files). The time the
	 * answer arrived, not when dns_wait() collected it (for metrics).
	 */
	uint64_t		 usec;
	struct dns_rr		*rr;
	size_t			 n;
};

/* Make *r an empty result (status DNS_ERROR, no records). */
void	 dns_result_init(struct dns_result *r);
/* Free the records and make *r empty again; NULL does nothing. */
void	 dns_result_free(struct dns_result *r);

/* "TXT", "MX", ...; "?" for an unknown value. */
const char *dns_type_name(enum dns_type);
/* "NOERROR"-style words: "OK", "NXDOMAIN", "NODATA", "SERVFAIL", ... */
const char *dns_status_name(enum dns_status);
/*
 * The word for a failed lookup in reasons and logs ("DNS %s for NAME"):
 * "timeout", "SERVFAIL" (the RCODE's own name), "error"; one spelling
 * everywhere (SPF, DMARC, reports).
 */
const char *dns_failure_name(enum dns_status);
/* Parse a type name (case-insensitive, len bytes); 0, or -1 if unknown. */
int	 dns_type_parse(const char *s, size_t len, enum dns_type *out);
/*
 * True if name (len bytes, an optional trailing dot) can be asked for:
 * 1..DNS_NAME_MAX bytes, no empty label, labels up to DNS_LABEL_MAX bytes.
 * Callers check names taken from messages with this first: dns_start()
 * refuses other names as a failure, not as an outcome.
 */
bool	 dns_name_valid(const char *name, size_t len);
/*
 * True if a and b (views) are one domain name: case does not count (RFC
 * 4343) and neither does one final dot, the root's empty label (RFC 1034
 * 3.1: "mx.example.com." names the host "mx.example.com" does).
 */
bool	 dns_name_equal(const char *a, size_t alen, const char *b,
	    size_t blen);

struct dns_resolver;	/* opaque; defined in dns.c */
struct dns_query;	/* opaque; one outstanding lookup */

/*
 * Start looking up name (a C string, optional trailing dot, any case)
 * for type. Returns the query handle, or NULL with e filled if the name is
 * not valid (dns_name_valid), the type unknown or the backend failed.
 */
struct dns_query *dns_start(struct dns_resolver *, const char *name,
	    enum dns_type, struct err *e);
/*
 * Wait for q until deadline (an absolute CLOCK_MONOTONIC time; NULL waits
 * as long as the backend does), then end q. out need not be initialised.
 * Returns 0 with *out filled (a timeout is the outcome DNS_TIMEOUT), or -1
 * with e filled and *out empty (status DNS_ERROR). Either way q is gone
 * and dns_result_free(out) is safe.
 */
int	 dns_wait(struct dns_resolver *, struct dns_query *q,
	    const struct timespec *deadline, struct dns_result *out,
	    struct err *e);
/* End q without waiting for its answer; NULL does nothing. */
void	 dns_cancel(struct dns_query *q);
/*
 * Synchronous lookup: dns_start() then dns_wait() with a deadline
 * timeout_ms from now. Returns as dns_wait().
 */
int	 dns_lookup(struct dns_resolver *, const char *name, enum dns_type,
	    unsigned int timeout_ms, struct dns_result *out, struct err *e);
/* Free the resolver; every query must have been ended. NULL does nothing. */
void	 dns_resolver_free(struct dns_resolver *);

/*
 * The zone-file backend (--dns-zone). Every answer comes from the file;
 * nothing from the network. The format is DESIGN.md's --dns-zone contract:
 * an RFC 1035 section 5 master file ($ORIGIN, $TTL with BIND's units, '@',
 * relative names, a blank first column for the previous owner, "( ... )"
 * across lines, ';' comments, \DDD and \X escapes in names and strings,
 * any RR type of class IN; read by ldns). Without $ORIGIN the origin is
 * the root, so "example.com" is "example.com."; without $TTL a record
 * without a TTL has 3600. inkan's extension for tests: "name TIMEOUT" and
 * "name SERVFAIL" (name as any owner: relative, '@') make every query for
 * that name (with any type) fail that way at once. Answers exist for A,
 * AAAA, MX, TXT, PTR, CNAME, NS and SPF; other types (SOA, CAA, SRV, ...)
 * make their name exist, so asking it for another type is NODATA. A TXT
 * character-string holds at most 255 bytes (RFC 1035 3.3): a longer one is
 * an error saying to split it. Names are case-insensitive. A name in
 * rdata that has no plain text form (a '.', '\' or a byte outside
 * '!'..'~' inside a label) makes answers holding it SERVFAIL, as from
 * dns_unbound.c. Not supported: $INCLUDE, $GENERATE, wildcards. A query
 * for a name that has a CNAME but no record of the asked type follows the
 * chain (at most DNS_ZONE_MAX_CNAME hops; longer chains and loops give
 * SERVFAIL).
 * Load failures (an unreadable file, a parse error) return NULL with e
 * filled as "FILE:LINE: what is wrong" (FILE is "(memory)" for
 * dns_zone_from_memory). The resolver is immutable after loading.
 */
/* CNAME hops followed; resolvers cap chains in the same way. */
#define DNS_ZONE_MAX_CNAME	8
/*
 * A physical line, or one record across lines, longer than this is
 * refused. The longest legitimate line
 * is a TXT record on one line: RFC 1035 caps rdata at 65535 bytes, and
 * \DDD escapes make that up to 4 times longer in text.
 */
#define DNS_ZONE_MAX_LINE	(4 * 65536)
/*
 * A zone file is test or offline data written by hand or by a script;
 * 100,000 records bound memory to some tens of MB and loading to well
 * under a second. A bigger file is a mistake.
 */
#define DNS_ZONE_MAX_RECORDS	100000
struct dns_resolver *dns_zone_open(const char *path, struct err *e);
/* Same from len bytes at data (not NUL-terminated; may hold NULs). */
struct dns_resolver *dns_zone_from_memory(const char *data, size_t len,
	    struct err *e);

/*
 * For backends only: the operations of a backend. ctx is the backend's
 * state, q a handle the backend returned from start.
 */
struct dns_backend {
	/* Start a lookup (name already checked); the handle or NULL + e. */
	void	*(*start)(void *ctx, const char *name, enum dns_type,
		    struct err *e);
	/*
	 * Wait as dns_wait() (out is initialised) and release q, also when
	 * returning -1.
	 */
	int	 (*wait)(void *ctx, void *q, const struct timespec *deadline,
		    struct dns_result *out, struct err *e);
	/* Release q without its answer. */
	void	 (*cancel)(void *ctx, void *q);
	/* Release ctx. */
	void	 (*free)(void *ctx);
};

/*
 * Wrap a backend in a resolver. Ownership of ctx moves to the resolver,
 * also on failure (NULL with e filled; ctx is then released with
 * be->free). be must outlive the resolver (a static table).
 */
struct dns_resolver *dns_resolver_new(const struct dns_backend *be,
	    void *ctx, struct err *e);

/*
 * Microseconds since t0 on CLOCK_MONOTONIC, 0 if the clock went back: how
 * dns_result.usec is measured, and other latencies beside it.
 */
uint64_t dns_usec_since(const struct timespec *t0);

#endif
