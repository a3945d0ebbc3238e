/* SPDX-License-Identifier: ISC */
/*
 * spf_macro.h - SPF macros (RFC 7208 section 7): syntax checks of
 * macro-strings and their expansion.
 * No I/O, no globals: the values of the macro letters come from the
 * caller (struct spf_macro_vars), and %{p}, which needs DNS (RFC 7208 5.5),
 * is fetched through a callback only when a string uses it.
 * Not here: which names are looked up (spf_eval.c).
 */
#ifndef INKAN_SPF_MACRO_H
#define INKAN_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct buf;
struct err;

/* Where a macro-string stands; decides the letters and bytes allowed. */
enum spf_macro_where {
	/*
	 * A domain-spec of a mechanism, redirect= or exp= (RFC 7208 7.1):
	 * letters s l o d i p v h; "c", "r" and "t" are allowed only in
	 * explanation text (RFC 7208 7.2), so they are a syntax error here.
	 */
	SPF_MACRO_DOMAIN,
	/* The value of an unknown modifier: any macro-letter of the ABNF. */
	SPF_MACRO_STRING,
	/*
	 * The TXT record an exp= names: explain-string (RFC 7208 6.2,
	 * 7.1), every letter, spaces allowed.
	 */
	SPF_MACRO_EXPLAIN,
};

/*
 * %{t} and the digit transformer: RFC 7208 7.3 wants at least 128
 * supported; any bigger count means "all parts", so parsing stops
 * growing the number here and cannot overflow.
 */
#define SPF_MACRO_DIGITS_CAP	100000

/* The values of the macro letters (RFC 7208 7.2). All are C strings. */
struct spf_macro_vars {
	const char	*s;	/* <sender> */
	const char	*l;	/* local-part of <sender> ("postmaster" if none) */
	const char	*o;	/* domain of <sender> */
	const char	*d;	/* <domain> of the current check_host() */
	const char	*i;	/* <ip>: dotted quad, or dotted nibbles for IPv6 */
	const char	*v;	/* "in-addr" or "ip6" */
	const char	*h;	/* HELO/EHLO domain */
	const char	*c;	/* client IP, readable form (exp only) */
	const char	*r;	/* receiving host (exp only) */
	time_t		 t;	/* current time (exp only) */
	/*
	 * p: append the validated domain name of <ip> (or "unknown") to
	 * out. Returns 0, or -1 with e filled on an internal failure (no
	 * memory); DNS trouble is not a failure but "unknown". Called at
	 * most once per %{p} in the string.
	 */
	int		(*p)(void *arg, struct buf *out, struct err *e);
	void		*p_arg;
};

/*
 * Check that s (len bytes, not NUL-terminated) is a macro-string as
 * RFC 7208 7.1 defines it for where. Returns NULL if it is, or static
 * text saying what is wrong. If last_macro_end is not NULL it is set to
 * the offset just after the last macro-expand (0 if none): domain-spec's
 * domain-end may be a macro-expand (RFC 7208 7.1), and the caller needs
 * to know whether one ends the string.
 */
const char *spf_macro_check(const char *s, size_t len,
	    enum spf_macro_where where, size_t *last_macro_end);

/*
 * Expand s (len bytes) and append the result to out (RFC 7208 7.3).
 * Returns 0 with *syntax NULL and the expansion appended; 0 with *syntax
 * set to static text if s is not a valid macro-string (a permerror for
 * the caller; out may hold part of the expansion); or -1 with e filled on
 * an internal failure (no memory, or the p callback failed).
 */
int	 spf_macro_expand(const char *s, size_t len, enum spf_macro_where where,
	    const struct spf_macro_vars *vars, struct buf *out,
	    const char **syntax, struct err *e);

/*
 * RFC 7208 7.3: an expanded domain name longer than 253 bytes is
 * shortened from the left, removing whole labels with the dot after
 * them, until it fits. Names that still do not fit (no dot left) are
 * left for the caller's name check to refuse.
 */
void	 spf_macro_shorten(struct buf *name);

#endif
