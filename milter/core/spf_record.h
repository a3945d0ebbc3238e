/* SPDX-License-Identifier: ISC */
/*
 * spf_record.h - SPF record selection and syntax (RFC 7208 4.5, 4.6,
 * 5, 6 and the ABNF of section 12).
 * A record is parsed completely before any of it is evaluated: RFC 7208
 * 4.6 makes a syntax error anywhere in the record a permerror, whether or
 * not evaluation would have reached it. Macro syntax in domain-specs and
 * modifier values is checked here too (spf_macro_check).
 * Ownership: a parsed record holds views (pointer, length) into the text
 * it was parsed from; the caller keeps that text alive until
 * spf_record_free(). No I/O, no globals. Not here: evaluation
 * (spf_eval.c) and macro expansion (spf_macro.c).
 */
#ifndef INKAN_SPF_RECORD_H
#define INKAN_SPF_RECORD_H

#include <stdbool.h>
#include <stddef.h>

struct err;

/* RFC 7208 4.6.2: qualifier = "+" / "-" / "?" / "~" */
enum spf_qual {
	SPF_QUAL_PASS,		/* "+", the default */
	SPF_QUAL_FAIL,		/* "-" */
	SPF_QUAL_SOFTFAIL,	/* "~" */
	SPF_QUAL_NEUTRAL,	/* "?" */
};

/* RFC 7208 section 5 */
enum spf_mech_kind {
	SPF_MECH_ALL,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
};

/* A view into the record text. */
struct spf_view {
	const char	*p;
	size_t		 len;
};

struct spf_mech {
	enum spf_mech_kind	 kind;
	enum spf_qual		 qual;
	struct spf_view		 term;	/* the whole term, qualifier included */
	/* domain-spec (include, a, mx, ptr, exists); len 0 when absent */
	struct spf_view		 domain;
	/*
	 * Prefix lengths. a, mx: both (defaults 32 and 128); ip4: cidr4;
	 * ip6: cidr6.
	 */
	unsigned		 cidr4, cidr6;
	/* ip4: 4 bytes, ip6: 16 bytes, network byte order */
	unsigned char		 addr[16];
};

struct spf_record {
	struct spf_mech		*mech;	/* mechanisms in record order */
	size_t			 nmech;
	struct spf_view		 redirect;	/* domain-spec; len 0: none */
	struct spf_view		 exp;		/* domain-spec; len 0: none */
	/*
	 * An "all" mechanism is present: redirect= is then ignored
	 * (RFC 7208 5.1).
	 */
	bool			 has_all;
	/*
	 * NULL for a valid record. Otherwise static text saying why the
	 * record is a permerror, and errterm the offending term.
	 */
	const char		*error;
	struct spf_view		 errterm;
};

/*
 * True if the len bytes at txt (joined TXT strings) are an SPF version 1
 * record: "v=spf1" (any case) followed by a space or the end (RFC 7208
 * 4.5). Records that are not are ignored during record selection.
 */
bool	 spf_record_is_v1(const char *txt, size_t len);

/*
 * Parse the record txt (len bytes, not NUL-terminated, may hold any byte)
 * that spf_record_is_v1() accepted. Returns 0 with *rec filled; a syntax
 * error is an outcome in rec->error. Returns -1 with e filled only when
 * memory ran out. Either way spf_record_free(rec) is safe afterwards.
 */
int	 spf_record_parse(const char *txt, size_t len, struct spf_record *rec,
	    struct err *e);

/* Release what parsing allocated; the struct may be parsed into again. */
void	 spf_record_free(struct spf_record *rec);

#endif
