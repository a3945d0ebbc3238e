/* SPDX-License-Identifier: ISC */
/*
 * dmarc_min.c - the small DMARC record reader of dmarc_min.h, on the
 * core's tag-list parser (DMARC records use DKIM's tag=value syntax,
 * RFC 9989 section 4.7). Only for the keys tool; to be replaced by the
 * core's DMARC parser.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_min.h"

bool
dmarc_min_is_record(const char *txt, size_t len)
{
	size_t i = 0;

	/* "v" WSP* "=" WSP* "DMARC1", then the end, WSP or ';' */
	if (len == 0 || txt[0] != 'v')
		return false;
	for (i = 1; i < len && (txt[i] == ' ' || txt[i] == '\t'); i++)
		;
	if (i == len || txt[i++] != '=')
		return false;
	for (; i < len && (txt[i] == ' ' || txt[i] == '\t'); i++)
		;
	if (len - i < 6 || strncmp(txt + i, "DMARC1", 6) != 0)
		return false;
	i += 6;
	return i == len || txt[i] == ' ' || txt[i] == '\t' || txt[i] == ';';
}

static enum dmarc_min_policy
policy(const struct taglist_tag *t, bool *bad)
{
	if (t == NULL)
		return DMARC_MIN_ABSENT;
	if (taglist_view_caseeq(&t->value, "none"))
		return DMARC_MIN_NONE;
	if (taglist_view_caseeq(&t->value, "quarantine"))
		return DMARC_MIN_QUARANTINE;
	if (taglist_view_caseeq(&t->value, "reject"))
		return DMARC_MIN_REJECT;
	*bad = true;
	return DMARC_MIN_ABSENT;
}

void
dmarc_min_parse(const char *txt, size_t len, struct dmarc_min *out)
{
	struct taglist_parsed tl;
	const struct taglist_tag *t;
	const char *why;
	char num[8];
	char *end;
	bool bad = false;

	memset(out, 0, sizeof(*out));
	if ((why = taglist_parse(txt, len, &tl)) != NULL) {
		out->error = why;
		return;
	}
	if (tl.ntags == 0 || !taglist_view_eq(&tl.tags[0].name, "v") ||
	    !taglist_view_eq(&tl.tags[0].value, "DMARC1")) {
		out->error = "the record must start with v=DMARC1";
		return;
	}
	out->p = policy(taglist_parse_find(&tl, "p"), &bad);
	if (bad) {
		out->error = "p= must be none, quarantine or reject";
		return;
	}
	if (out->p == DMARC_MIN_ABSENT) {
		out->error = "p= (the policy) is missing";
		return;
	}
	out->sp = policy(taglist_parse_find(&tl, "sp"), &bad);
	if (bad) {
		out->error = "sp= must be none, quarantine or reject";
		return;
	}
	out->np = policy(taglist_parse_find(&tl, "np"), &bad);
	if (bad) {
		out->error = "np= must be none, quarantine or reject";
		return;
	}
	if ((t = taglist_parse_find(&tl, "adkim")) != NULL &&
	    !taglist_view_caseeq(&t->value, "r") &&
	    !taglist_view_caseeq(&t->value, "s")) {
		out->error = "adkim= must be r (relaxed) or s (strict)";
		return;
	}
	if ((t = taglist_parse_find(&tl, "aspf")) != NULL &&
	    !taglist_view_caseeq(&t->value, "r") &&
	    !taglist_view_caseeq(&t->value, "s")) {
		out->error = "aspf= must be r (relaxed) or s (strict)";
		return;
	}
	if ((t = taglist_parse_find(&tl, "t")) != NULL) {
		if (taglist_view_caseeq(&t->value, "y"))
			out->testing = true;
		else if (!taglist_view_caseeq(&t->value, "n")) {
			out->error = "t= must be y or n";
			return;
		}
	}
	if ((t = taglist_parse_find(&tl, "pct")) != NULL) {
		if (t->value.len == 0 || t->value.len >= sizeof(num)) {
			out->error = "pct= must be a number from 0 to 100";
			return;
		}
		memcpy(num, t->value.p, t->value.len);
		num[t->value.len] = '\0';
		out->pct = (unsigned)strtoul(num, &end, 10);
		if (*end != '\0' || num[0] < '0' || num[0] > '9' ||
		    out->pct > 100) {
			out->error = "pct= must be a number from 0 to 100";
			return;
		}
		out->has_pct = true;
	}
	if ((t = taglist_parse_find(&tl, "rua")) != NULL) {
		out->has_rua = true;
		out->rua = t->value;
	}
}

const char *
dmarc_min_policy_name(enum dmarc_min_policy p)
{
	switch (p) {
	case DMARC_MIN_NONE: return "none";
	case DMARC_MIN_QUARANTINE: return "quarantine";
	case DMARC_MIN_REJECT: return "reject";
	case DMARC_MIN_ABSENT: break;
	}
	return "";
}
