/* SPDX-License-Identifier: ISC */
/*
 * hdr.h - the header block of one message, as a list of fields in the
 * order they arrived (RFC 5322 section 2.2).
 * Each field is kept once, as raw bytes "Name:value" with every line end
 * inside a folded value normalised to CRLF and without the final CRLF;
 * signing, verification and From parsing all read this one copy.
 * Name is kept as the MTA handed it over, with any white space before the
 * colon (RFC 5322 4.5: the obsolete syntax "From : x" that receivers must
 * accept), so that simple canonicalization hashes the bytes as they are;
 * every lookup by name ignores that white space.
 * The list owns its fields; the transaction owns the list.
 */
#ifndef INKAN_HDR_H
#define INKAN_HDR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Caps on what one message may make us hold. A field longer than this is
 * not something any MUA writes (RFC 5322 2.1.1 limits lines to 998 bytes;
 * folding makes fields longer, but not megabytes); the counts bound the
 * per-message memory and the work of picking signed fields.
 */
#define HDR_MAX_FIELD_LEN	(1024 * 1024)
#define HDR_MAX_FIELDS		20000
#define HDR_MAX_TOTAL		(8 * 1024 * 1024)

struct hdr_field {
	char	*raw;		/* "Name:value", NUL-terminated, CRLF inside */
	size_t	 raw_len;
	size_t	 name_len;	/* bytes before the colon, WSP included */
	size_t	 key_len;	/* hdr_name_len(raw, name_len), kept so that a
				 * lookup by name costs no scan of the WSP */
};

struct hdr_list {
	struct hdr_field *f;
	size_t	 n;
	size_t	 cap;
	size_t	 total;		/* bytes held, for HDR_MAX_TOTAL */
	bool	 overflow;	/* some field was refused by a cap */
};

enum hdr_add_result {
	HDR_ADDED,
	HDR_REFUSED,		/* a cap was hit; the list is marked overflow */
	HDR_NOMEM,
};

void	 hdr_list_init(struct hdr_list *);
void	 hdr_list_free(struct hdr_list *);
/*
 * Append a field given as name and value, the way libmilter hands them over
 * (value is what follows the colon, leading space included when the MTA
 * keeps it). Bare LF and CRLF line ends in value both become CRLF.
 */
enum hdr_add_result hdr_list_add(struct hdr_list *, const char *name,
	    size_t name_len, const char *value, size_t value_len);
/* Append a whole field "Name:value" (line ends normalised as above). */
enum hdr_add_result hdr_list_add_raw(struct hdr_list *, const char *raw,
	    size_t len);
/*
 * Is name (a C string) a valid field name: RFC 5322 3.6.8 field-name =
 * 1*ftext, printable US-ASCII except ':'. For names an admin configures.
 */
bool	 hdr_name_valid(const char *name);
/*
 * The length of the field name name (len bytes, what precedes the colon)
 * without trailing white space: RFC 5322 4.5 lets the obsolete syntax put
 * WSP between a field name and its colon (field-name *WSP ":"), and
 * receivers must accept it, so "From :" names a From field.
 */
size_t	 hdr_name_len(const char *name, size_t len);
/*
 * Case-insensitive comparison of a field's name, white space before the
 * colon ignored (hdr_name_len), with name (len bytes).
 */
bool	 hdr_field_is(const struct hdr_field *, const char *name, size_t len);
/* The value: everything after the colon. */
const char *hdr_field_value(const struct hdr_field *, size_t *len);
/* How many fields carry this name. */
size_t	 hdr_list_count(const struct hdr_list *, const char *name);
/* Index of the first field named name at or after start, or -1. */
long	 hdr_list_find(const struct hdr_list *, const char *name, size_t start);

#endif
