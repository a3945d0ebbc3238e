/* SPDX-License-Identifier: ISC */
/*
 * dmarc_record.c - the DMARC Policy Record of RFC 9989 sections 4.7 and
 * 4.8:
 *
 *   dmarc-record  = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep]
 *   dmarc-version = "v" equals %s"DMARC1"
 *   dmarc-sep     = *WSP ";" *WSP
 *   equals        = *WSP "=" *WSP
 *   dmarc-tag     = 1*ALPHA equals 1*dmarc-value
 *   dmarc-value   = %x20-3A / %x3C-7E
 *
 * The record is a tag-value list in the DKIM style, but with different
 * error rules than DKIM's (taglist_parse.c refuses the whole list on one
 * bad tag): here only the v tag is strict ("MUST be present and MUST
 * appear first"); "syntax errors in the remainder of the record MUST be
 * discarded in favor of default values (if any) or ignored outright" and
 * unknown tags are ignored (4.7). So each ';'-separated tag is read on its
 * own and a bad one is dropped; the views and their helpers come from
 * taglist_parse.h.
 * Choices where the RFC is silent: tag names and keyword values compare
 * ASCII case-insensitively (quoted ABNF strings are case-insensitive, RFC
 * 5234 2.3; only "DMARC1" is %s, case-sensitive); a repeated tag keeps its
 * first value and the repeat is ignored as a syntax error.
 */
#include <string.h>
#include <strings.h>

#include "abnf.h"
#include "dmarc_record.h"

enum tag {
	TAG_V, TAG_P, TAG_SP, TAG_NP, TAG_PSD, TAG_T, TAG_ADKIM, TAG_ASPF,
	TAG_RUA, TAG_RUF, TAG_FO, TAG_PCT, TAG_RF, TAG_RI, TAG_UNKNOWN,
};

static const char *const tag_names[] = {
	[TAG_V] = "v", [TAG_P] = "p", [TAG_SP] = "sp", [TAG_NP] = "np",
	[TAG_PSD] = "psd", [TAG_T] = "t", [TAG_ADKIM] = "adkim",
	[TAG_ASPF] = "aspf", [TAG_RUA] = "rua", [TAG_RUF] = "ruf",
	[TAG_FO] = "fo", [TAG_PCT] = "pct", [TAG_RF] = "rf", [TAG_RI] = "ri",
};

/* What parsing one record keeps besides the result. */
struct state {
	struct dmarc_record	*r;
	unsigned		 seen;		/* 1 << enum tag */
	bool			 bad_policy;	/* a p=, sp= or np= value invalid */
};

/* The view without leading and trailing WSP (dmarc-sep and equals). */
static struct taglist_view
trim_wsp(struct taglist_view v)
{
	while (v.len > 0 && abnf_wsp((unsigned char)v.p[0])) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && abnf_wsp((unsigned char)v.p[v.len - 1]))
		v.len--;
	return v;
}

static void
ignore(struct state *s, const char *why)
{
	if (s->r->ignored == NULL)
		s->r->ignored = why;
}

static enum tag
tag_lookup(const struct taglist_view *name)
{
	size_t i;

	for (i = 0; i < TAG_UNKNOWN; i++)
		if (taglist_view_caseeq(name, tag_names[i]))
			return (enum tag)i;
	return TAG_UNKNOWN;
}

/* dmarc-request */
static bool
parse_request(const struct taglist_view *v, enum dmarc_request *out)
{
	if (taglist_view_caseeq(v, "none"))
		*out = DMARC_REQ_NONE;
	else if (taglist_view_caseeq(v, "quarantine"))
		*out = DMARC_REQ_QUARANTINE;
	else if (taglist_view_caseeq(v, "reject"))
		*out = DMARC_REQ_REJECT;
	else
		return false;
	return true;
}

/*
 * dmarc-uri = URI (RFC 3986 section 3, absolute):
 *   scheme ":" then URI characters (unreserved, reserved, pct-encoded),
 * with "," and "!" excluded: 4.8 says they MUST be percent-encoded.
 * One exception for records written for RFC 7489: its size limit suffix
 * "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] (RFC 7489 6.4) is cut off rather
 * than making the URI invalid, since RFC 9989 only removed the feature
 * ("Changes from RFC 7489", Reporting). *uri is narrowed to the URI proper.
 */
static bool
parse_uri(struct taglist_view *uri)
{
	const char *p = uri->p, *end = uri->p + uri->len, *bang;

	bang = memchr(p, '!', uri->len);
	if (bang != NULL) {
		const char *q = bang + 1;

		if (q == end || !abnf_digit((unsigned char)*q))
			return false;
		while (q < end && abnf_digit((unsigned char)*q))
			q++;
		if (q < end && strchr("kmgtKMGT", *q) != NULL)
			q++;
		if (q != end)
			return false;
		end = bang;
	}
	if (p == end || !abnf_alpha((unsigned char)*p))
		return false;
	while (p < end && (abnf_alpha((unsigned char)*p) ||
	    abnf_digit((unsigned char)*p) || *p == '+' || *p == '-' ||
	    *p == '.'))
		p++;
	if (p == end || *p != ':' || p + 1 == end)
		return false;
	for (p++; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			if (end - p < 3 || !abnf_hexdig((unsigned char)p[1]) ||
			    !abnf_hexdig((unsigned char)p[2]))
				return false;
			p += 2;
			continue;
		}
		if (abnf_alpha(c) || abnf_digit(c))
			continue;
		/* unreserved, gen-delims and sub-delims minus "!" and "," */
		if (strchr("-._~:/?#[]@$&'()*+;=", c) == NULL || c == '\0')
			return false;
	}
	uri->len = (size_t)(end - uri->p);
	return true;
}

/* dmarc-urilist = dmarc-uri *(*WSP "," *WSP dmarc-uri) */
static void
parse_urilist(struct state *s, const struct taglist_view *v,
    struct taglist_view *uris, size_t *n, size_t *dropped)
{
	struct taglist_view rest = *v, item;
	bool more = true;

	while (more) {
		item.p = rest.p;
		item.len = 0;
		while (item.len < rest.len && rest.p[item.len] != ',')
			item.len++;
		if (item.len < rest.len) {
			rest.p += item.len + 1;
			rest.len -= item.len + 1;
		} else
			more = false;
		item = trim_wsp(item);
		if (!parse_uri(&item)) {
			ignore(s, "invalid report URI ignored");
			continue;
		}
		if (*n < DMARC_RECORD_MAX_URIS)
			uris[(*n)++] = item;
		else
			(*dropped)++;
	}
}

/* fo: "0" / "1" / "d" / "s", colon-separated (4.7 "fo" allows "0:d"). */
static bool
parse_fo(const struct taglist_view *v, unsigned *out)
{
	struct taglist_view rest = *v, item;
	unsigned fo = 0;

	while (taglist_view_next_item(&rest, ':', &item)) {
		if (taglist_view_eq(&item, "0"))
			fo |= DMARC_FO_0;
		else if (taglist_view_eq(&item, "1"))
			fo |= DMARC_FO_1;
		else if (taglist_view_caseeq(&item, "d"))
			fo |= DMARC_FO_D;
		else if (taglist_view_caseeq(&item, "s"))
			fo |= DMARC_FO_S;
		else
			return false;
	}
	*out = fo;
	return true;
}

/* RFC 7489 pct: 1*3DIGIT, 0 to 100 */
static int
parse_pct(const struct taglist_view *v)
{
	int n = 0;
	size_t i;

	if (v->len == 0 || v->len > 3)
		return -1;
	for (i = 0; i < v->len; i++) {
		if (!abnf_digit((unsigned char)v->p[i]))
			return -1;
		n = n * 10 + (v->p[i] - '0');
	}
	return n <= 100 ? n : -1;
}

static void
parse_tag(struct state *s, enum tag t, const struct taglist_view *v)
{
	struct dmarc_record *r = s->r;
	bool ok = true;

	switch (t) {
	case TAG_V:
		/* only the first tag may be v (4.7 "v": MUST be first) */
		ok = false;
		break;
	case TAG_P:
		ok = r->p_present = parse_request(v, &r->p);
		if (!ok)
			s->bad_policy = true;
		break;
	case TAG_SP:
		ok = r->sp_present = parse_request(v, &r->sp);
		if (!ok)
			s->bad_policy = true;
		break;
	case TAG_NP:
		ok = r->np_present = parse_request(v, &r->np);
		if (!ok)
			s->bad_policy = true;
		break;
	case TAG_PSD:
		if (taglist_view_caseeq(v, "y"))
			r->psd = DMARC_PSD_Y;
		else if (taglist_view_caseeq(v, "n"))
			r->psd = DMARC_PSD_N;
		else if (taglist_view_caseeq(v, "u"))
			r->psd = DMARC_PSD_U;
		else
			ok = false;
		break;
	case TAG_T:
		if (taglist_view_caseeq(v, "y"))
			r->t = true;
		else if (taglist_view_caseeq(v, "n"))
			r->t = false;
		else
			ok = false;
		break;
	case TAG_ADKIM:
	case TAG_ASPF: {
		enum dmarc_align a;

		if (taglist_view_caseeq(v, "r"))
			a = DMARC_ALIGN_RELAXED;
		else if (taglist_view_caseeq(v, "s"))
			a = DMARC_ALIGN_STRICT;
		else {
			ok = false;
			break;
		}
		if (t == TAG_ADKIM)
			r->adkim = a;
		else
			r->aspf = a;
		break;
	}
	case TAG_RUA:
		parse_urilist(s, v, r->rua, &r->nrua, &r->nrua_dropped);
		break;
	case TAG_RUF:
		parse_urilist(s, v, r->ruf, &r->nruf, &r->nruf_dropped);
		break;
	case TAG_FO:
		ok = parse_fo(v, &r->fo);
		break;
	case TAG_PCT:
		r->removed |= DMARC_REMOVED_PCT;
		r->pct = parse_pct(v);
		break;
	case TAG_RF:
		r->removed |= DMARC_REMOVED_RF;
		break;
	case TAG_RI:
		r->removed |= DMARC_REMOVED_RI;
		break;
	case TAG_UNKNOWN:
		break;
	}
	if (!ok)
		ignore(s, t == TAG_V ? "v tag not first, ignored" :
		    "invalid tag value ignored");
}

/*
 * Split one tag-spec (no ';' inside) into name and value:
 *   1*ALPHA *WSP "=" *WSP 1*dmarc-value
 * false if it does not have that shape.
 */
static bool
split_tag(struct taglist_view spec, struct taglist_view *name,
    struct taglist_view *value)
{
	size_t i = 0, j;

	spec = trim_wsp(spec);
	while (i < spec.len && abnf_alpha((unsigned char)spec.p[i]))
		i++;
	if (i == 0)
		return false;
	name->p = spec.p;
	name->len = i;
	while (i < spec.len && abnf_wsp((unsigned char)spec.p[i]))
		i++;
	if (i == spec.len || spec.p[i] != '=')
		return false;
	i++;
	while (i < spec.len && abnf_wsp((unsigned char)spec.p[i]))
		i++;
	if (i == spec.len)
		return false;		/* 1*dmarc-value */
	for (j = i; j < spec.len; j++) {
		unsigned char c = (unsigned char)spec.p[j];

		if (c < 0x20 || c > 0x7e)
			return false;
	}
	value->p = spec.p + i;
	value->len = spec.len - i;
	return true;
}

/* The next ';'-separated piece of *rest; false at the end. */
static bool
next_spec(struct taglist_view *rest, struct taglist_view *spec)
{
	const char *semi;

	if (rest->p == NULL)
		return false;
	spec->p = rest->p;
	semi = memchr(rest->p, ';', rest->len);
	if (semi == NULL) {
		spec->len = rest->len;
		rest->p = NULL;
		rest->len = 0;
	} else {
		spec->len = (size_t)(semi - rest->p);
		rest->len -= spec->len + 1;
		rest->p = semi + 1;
	}
	return true;
}

enum dmarc_record_outcome
dmarc_record_parse(const char *in, size_t len, struct dmarc_record *out,
    const char **reason)
{
	struct state s;
	struct taglist_view rest = { in, len }, spec, name, value;

	memset(out, 0, sizeof(*out));
	out->psd = DMARC_PSD_U;
	out->adkim = DMARC_ALIGN_RELAXED;
	out->aspf = DMARC_ALIGN_RELAXED;
	out->fo = DMARC_FO_0;
	out->pct = -1;
	memset(&s, 0, sizeof(s));
	s.r = out;
	*reason = NULL;

	/*
	 * dmarc-version starts the record: no white space before "v"
	 * (the ABNF allows none), and its value is exactly "DMARC1".
	 */
	if (len == 0 || (in[0] != 'v' && in[0] != 'V') ||
	    !next_spec(&rest, &spec) || !split_tag(spec, &name, &value) ||
	    name.len != 1) {
		*reason = "record does not start with a v tag";
		return DMARC_RECORD_NOT_DMARC;
	}
	value = trim_wsp(value);
	if (!taglist_view_eq(&value, "DMARC1")) {
		*reason = "v tag is not DMARC1";
		return DMARC_RECORD_NOT_DMARC;
	}
	s.seen = 1u << TAG_V;

	while (next_spec(&rest, &spec)) {
		enum tag t;

		if (trim_wsp(spec).len == 0) {
			/* [dmarc-sep] may end the record; nothing else is empty */
			if (rest.p != NULL)
				ignore(&s, "empty tag ignored");
			continue;
		}
		if (!split_tag(spec, &name, &value)) {
			ignore(&s, "malformed tag ignored");
			continue;
		}
		value = trim_wsp(value);
		t = tag_lookup(&name);
		if (t != TAG_UNKNOWN && t != TAG_V) {
			if (s.seen & (1u << t)) {
				ignore(&s, "repeated tag ignored");
				continue;
			}
			s.seen |= 1u << t;
		}
		parse_tag(&s, t, &value);
	}

	if (s.bad_policy) {
		/*
		 * 4.10.1: an invalid p, sp or np makes the record read as
		 * p=none if rua= has a valid URI; otherwise no DMARC
		 * processing applies.
		 */
		if (out->nrua == 0 && out->nrua_dropped == 0) {
			*reason = "invalid p, sp or np value and no valid rua";
			return DMARC_RECORD_INVALID;
		}
		out->p = DMARC_REQ_NONE;
		out->p_present = true;
		out->p_forced_none = true;
		out->sp_present = out->np_present = false;
		out->sp = out->np = DMARC_REQ_NONE;
	}
	/* fo= "MUST be ignored if a ruf tag is not also specified" (4.7) */
	if (!(s.seen & (1u << TAG_RUF)))
		out->fo = DMARC_FO_0;
	return DMARC_RECORD_OK;
}

const char *
dmarc_request_name(enum dmarc_request r)
{
	switch (r) {
	case DMARC_REQ_NONE:
		return "none";
	case DMARC_REQ_QUARANTINE:
		return "quarantine";
	case DMARC_REQ_REJECT:
		return "reject";
	}
	return "?";
}
