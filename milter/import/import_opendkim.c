/* SPDX-License-Identifier: ISC */
/*
 * import_opendkim.c - `inkan-milter --import-opendkim FILE`: read an
 * opendkim.conf and print the inkan.conf that does the same, so a site can
 * move from OpenDKIM without rewriting its configuration by hand.
 *
 * The input format is opendkim.conf(5): "Name value" lines, names compared
 * without regard to case, '#' starting a comment, booleans judged by their
 * first byte, Include nesting at most five levels, and the last of a repeated
 * setting winning. Values that are data sets follow opendkim(8): file:PATH
 * or a value starting with '/' is a file, csl:LIST or a value without a type
 * prefix a comma-separated list, refile:PATH a file of wildcard patterns.
 *
 * Every OpenDKIM setting ends in one of three states: carried over into
 * inkan settings; nothing to do (inkan already behaves so, or the setting
 * only tuned OpenDKIM's internals); or not translated, because inkan lacks
 * the behaviour or means something else. The last kind is listed in the
 * output and on stderr and makes the exit status 1: no difference passes
 * silently.
 *
 * This file reads the input, keeps the state and prints the result; what
 * each OpenDKIM setting becomes is in import_opendkim_map.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "import_opendkim.h"
#include "import_opendkim_int.h"

/* The inkan settings an import can write, in the order they are printed. */
static const char *const out_names[] = {
	"socket", "user", "log", "log_level", "syslog_facility", "key_table",
	"signing_table", "internal_hosts", "sign_daemons", "canonicalization", "sign_headers",
	"oversign_headers", "signature_ttl", "authserv_id", "max_signatures",
	"dmarc_enforce", "from_reject", "dmarc_tempfail_on_temperror",
	"dns_forwarders", "dns_trust_anchor", "dns_timeout", "dns_budget",
};
_Static_assert(sizeof(out_names) / sizeof(out_names[0]) == IMP_NOUT,
    "IMP_NOUT counts out_names[]");

char *
imp_strdup(struct imp *im, const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		im->nomem = true;
	return d;
}

/* ---- reading opendkim.conf ------------------------------------------ */

char *
imp_trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static const char *
keep_file(struct imp *im, const char *path)
{
	char **nf;

	if ((nf = reallocarray(im->files, im->nfiles + 1, sizeof(*nf))) == NULL)
		return NULL;
	im->files = nf;
	if ((nf[im->nfiles] = strdup(path)) == NULL)
		return NULL;
	return nf[im->nfiles++];
}

static int
add_entry(struct imp *im, const char *file, int line, const char *name,
    const char *value, struct buf *errs)
{
	struct ent *ne;
	size_t i;

	if (im->n >= IMP_MAX_ENTRIES) {
		buf_printf(errs, "%s:%d: more than %d settings\n", file, line,
		    IMP_MAX_ENTRIES);
		return -1;
	}
	/* opendkim.conf(5) readers find the last one set */
	for (i = 0; i < im->n; i++)
		if (strcasecmp(im->e[i].name, name) == 0)
			im->e[i].overridden = true;
	if ((ne = reallocarray(im->e, im->n + 1, sizeof(*ne))) == NULL)
		return -1;
	im->e = ne;
	ne = &im->e[im->n];
	memset(ne, 0, sizeof(*ne));
	ne->file = file;
	ne->line = line;
	if ((ne->name = strdup(name)) == NULL ||
	    (ne->value = strdup(value)) == NULL) {
		free(ne->name);
		return -1;
	}
	im->n++;
	return 0;
}

/* Read one file and its Includes; 0, or -1 with the problem in errs. */
static int
read_conf(struct imp *im, const char *path, int depth, struct buf *errs)
{
	char line[IMP_MAX_LINE];
	const char *file;
	int lineno = 0, rc = 0;
	FILE *f;

	if (depth > IMP_MAX_DEPTH) {
		buf_printf(errs, "%s: Include nested more than %d levels deep\n",
		    path, IMP_MAX_DEPTH);
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		buf_printf(errs, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((file = keep_file(im, path)) == NULL) {
		fclose(f);
		buf_printf(errs, "out of memory\n");
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *name, *value;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			buf_printf(errs, "%s:%d: line too long, or a NUL byte in it\n",
			    path, lineno);
			rc = -1;
			break;
		}
		/* OpenDKIM cuts a line at '#' and at a carriage return */
		line[strcspn(line, "#\r\n")] = '\0';
		name = line + strspn(line, " \t");
		if (*name == '\0')
			continue;
		value = name + strcspn(name, " \t");
		if (*value != '\0')
			*value++ = '\0';
		value = imp_trim(value);
		if (add_entry(im, file, lineno, name, value, errs) == -1)
			rc = -1;
		else if (strcasecmp(name, "Include") == 0 && *value != '\0') {
			im->e[im->n - 1].state = ENT_NOTE;
			im->e[im->n - 1].why = strdup("read here");
			rc = read_conf(im, value, depth + 1, errs);
		}
	}
	if (rc == 0 && ferror(f)) {
		buf_printf(errs, "%s: read error\n", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}

/* The setting in force (the last one), or NULL. */
struct ent *
imp_get(struct imp *im, const char *name)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		if (!im->e[i].overridden && strcasecmp(im->e[i].name, name) == 0)
			return &im->e[i];
	return NULL;
}

static void
set_state(struct imp *im, struct ent *x, enum ent_state st, const char *fmt,
    va_list ap)
{
	char why[1024];

	vsnprintf(why, sizeof(why), fmt, ap);
	free(x->why);
	x->why = imp_strdup(im, why);
	x->state = st;
}

/* Nothing to do for x in inkan, for the reason given. */
void
imp_note(struct imp *im, struct ent *x, const char *fmt, ...)
{
	va_list ap;

	if (x == NULL)
		return;
	va_start(ap, fmt);
	set_state(im, x, ENT_NOTE, fmt, ap);
	va_end(ap);
}

/* x does not carry over, for the reason given. */
void
imp_nottr(struct imp *im, struct ent *x, const char *fmt, ...)
{
	va_list ap;

	if (x == NULL)
		return;
	va_start(ap, fmt);
	set_state(im, x, ENT_NOT, fmt, ap);
	va_end(ap);
}

/* opendkim.conf(5): only the first byte of a boolean counts. */
int
imp_bool(const struct ent *x, bool *out)
{
	switch (x->value[0]) {
	case 't': case 'T': case 'y': case 'Y': case '1':
		*out = true;
		return 0;
	case 'f': case 'F': case 'n': case 'N': case '0':
		*out = false;
		return 0;
	}
	return -1;
}

/* Word-wrap text into "# " comment lines. */
void
imp_comment(struct buf *b, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strlen(p), cut = len;

		if (len > 74) {
			for (cut = 74; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = strcspn(p, " ");
		}
		buf_printf(b, "# %.*s\n", (int)cut, p);
		p += cut;
		p += strspn(p, " ");
	}
}

struct out *
imp_out(struct imp *im, const char *name)
{
	size_t i;

	for (i = 0; i < IMP_NOUT; i++)
		if (strcmp(out_names[i], name) == 0)
			return &im->out[i];
	abort();	/* a name missing from out_names[] is a bug here */
}

/*
 * x's value as quoted in comments and on stderr: cut short, and with
 * credentials left out (LDAPBindPassword, user:password@ in a dsn: or
 * ldap: URL), since the output may be more widely readable than the input.
 */
static const char *
shown(const struct ent *x, char *b, size_t len)
{
	const char *v = x->value, *scheme = strstr(v, "://"), *at;

	if (strcasestr(x->name, "password") != NULL)
		return "(hidden)";
	if (scheme != NULL && (at = strchr(scheme, '@')) != NULL)
		snprintf(b, len, "%.*s...%.*s%s", (int)(scheme + 3 - v), v,
		    IMP_MAX_SHOW, at, strlen(at) > IMP_MAX_SHOW ? "..." : "");
	else
		snprintf(b, len, "%.*s%s", IMP_MAX_SHOW, v,
		    strlen(v) > IMP_MAX_SHOW ? "..." : "");
	return b;
}

/* Quote x above inkan setting name, and count x as carried over. */
void
imp_cite(struct imp *im, const char *name, struct ent *x)
{
	char v[IMP_MAX_SHOW * 2 + 16];

	if (x == NULL)
		return;

	buf_printf(&imp_out(im, name)->text, "# %s:%d: %s %s\n", x->file,
	    x->line, x->name, shown(x, v, sizeof(v)));
	x->state = ENT_USED;
}

/*
 * Write inkan setting name = value, coming from x (may be NULL); an earlier
 * value of the same setting is replaced. False if the line would be too
 * long for inkan.conf (x is then not translated).
 */
bool
imp_put(struct imp *im, const char *name, const char *value, struct ent *x)
{
	struct out *o = imp_out(im, name);

	if (strlen(name) + strlen(value) + 4 >= IMP_MAX_LINE) {
		imp_nottr(im, x, "the value is too long for one inkan.conf line");
		return false;
	}
	free(o->value);
	o->value = imp_strdup(im, value);
	imp_cite(im, name, x);
	return true;
}

void
imp_advise(struct imp *im, const char *name, const char *text)
{
	imp_comment(&imp_out(im, name)->text, text);
}

/* ---- data sets -------------------------------------------------------- */

/* One item a line; a line "KEY VALUE" gives "KEY=VALUE". */
static const char *
dataset_file(const char *path, struct strlist *out, char *why, size_t whylen)
{
	char line[IMP_MAX_LINE];
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "cannot read %s: %s", path,
		    strerror(errno));
		return why;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *k, *v;
		size_t klen;
		struct buf item = BUF_INIT;

		line[strcspn(line, "#\r\n")] = '\0';
		k = imp_trim(line);
		if (*k == '\0')
			continue;
		klen = strcspn(k, " \t");
		v = imp_trim(k + klen);
		buf_printf(&item, "%.*s%s%s", (int)klen, k, *v != '\0' ? "=" : "",
		    v);
		if (out->n >= IMP_MAX_ITEMS || buf_failed(&item) ||
		    strlist_add(out, buf_str(&item), item.len) == -1) {
			buf_free(&item);
			fclose(f);
			snprintf(why, whylen, "%s: too many items", path);
			return why;
		}
		buf_free(&item);
	}
	fclose(f);
	return NULL;
}

/*
 * The items of a data set (opendkim(8), DATA SETS). A colon before the
 * first comma ends a type prefix; inkan reads only lists and flat files.
 * NULL, or the problem in words.
 */
const char *
imp_dataset(const char *v, struct strlist *out, char *why, size_t whylen)
{
	const char *colon = strchr(v, ':'), *comma = strchr(v, ',');

	if (colon != NULL && (comma == NULL || colon < comma)) {
		if (strncasecmp(v, "csl:", 4) == 0)
			return strlist_split(out, v + 4, ",") == -1 ?
			    "out of memory" : NULL;
		if (strncasecmp(v, "file:", 5) == 0)
			return dataset_file(v + 5, out, why, whylen);
		snprintf(why, whylen, "inkan reads data sets only from a list "
		    "or a flat file, not '%.*s:'", (int)(colon - v), v);
		return why;
	}
	if (*v == '/')
		return dataset_file(v, out, why, whylen);
	return strlist_split(out, v, ",") == -1 ? "out of memory" : NULL;
}
/* ---- output ------------------------------------------------------------ */

static int
print(struct imp *im, FILE *out)
{
	char v[IMP_MAX_SHOW * 2 + 16];
	struct buf b = BUF_INIT;
	size_t i;
	int nnot = 0;

	buf_printf(&b, "# inkan.conf translated from %s\n"
	    "# by inkan-milter --import-opendkim. Check it before use:\n"
	    "#   inkan-milter -n -c FILE\n"
	    "# \"# FILE:LINE: Name value\" comments quote the OpenDKIM settings "
	    "each\n# inkan setting comes from; inkan.conf(5) describes them.\n",
	    im->path);
	for (i = 0; i < IMP_NOUT; i++) {
		if (im->out[i].value == NULL)
			continue;
		buf_printf(&b, "\n%s%s = %s\n", buf_str(&im->out[i].text),
		    out_names[i], im->out[i].value);
	}
	if (im->extra.len > 0)
		buf_printf(&b, "\n%s", buf_str(&im->extra));
	if (imp_out(im, "dmarc_enforce")->value == NULL) {
		buf_printf(&b, "\n");
		imp_comment(&b, "inkan also checks SPF and DMARC on the mail it verifies "
	    "and applies the sender's DMARC policy (p=reject: 550 5.7.1), "
	    "which OpenDKIM alone did not; remove OpenDMARC from the MTA if "
	    "it did that. To only report results, set dmarc_enforce = no and "
	    "from_reject = no.");
	}
	for (i = 0; i < im->n; i++)
		if (im->e[i].state == ENT_NOTE) {
			const struct ent *x = &im->e[i];

			if (nnot++ == 0)
				buf_printf(&b, "\n# Nothing to do in inkan for:\n");
			buf_printf(&b, "#   %s:%d: %s %s -- %s\n", x->file,
			    x->line, x->name, shown(x, v, sizeof(v)),
			    x->why != NULL ? x->why : "");
		}
	nnot = 0;
	for (i = 0; i < im->n; i++)
		if (im->e[i].state == ENT_NOT) {
			const struct ent *x = &im->e[i];

			if (nnot++ == 0)
				buf_printf(&b, "\n");
			buf_printf(&b, "# not translated: %s %s -- %s\n", x->name,
			    shown(x, v, sizeof(v)), x->why != NULL ? x->why : "");
			fprintf(stderr, "%s:%d: not translated: %s %s -- %s\n",
			    x->file, x->line, x->name, shown(x, v, sizeof(v)),
			    x->why != NULL ? x->why : "");
		}
	if (buf_failed(&b)) {
		buf_free(&b);
		im->nomem = true;
		return -1;
	}
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) == EOF) {
		buf_free(&b);
		fprintf(stderr, "inkan-milter: writing the configuration: %s\n",
		    strerror(errno));
		return -1;
	}
	buf_free(&b);
	return nnot;
}

static void
imp_free(struct imp *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		free(im->e[i].name);
		free(im->e[i].value);
		free(im->e[i].why);
	}
	free(im->e);
	for (i = 0; i < im->nfiles; i++)
		free(im->files[i]);
	free(im->files);
	for (i = 0; i < IMP_NOUT; i++) {
		free(im->out[i].value);
		buf_free(&im->out[i].text);
	}
	buf_free(&im->extra);
}

/* inkan's default sign_headers, from the settings table itself. */
static int
default_sign_headers(struct strlist *out)
{
	struct buf problems = BUF_INIT;
	struct config *c;
	size_t i;
	int rc = 0;

	/* no file: the defaults only */
	c = config_load(NULL, &problems);
	buf_free(&problems);
	if (c == NULL)
		return -1;
	for (i = 0; i < c->sign_headers.n && rc == 0; i++)
		rc = strlist_add(out, c->sign_headers.v[i],
		    strlen(c->sign_headers.v[i]));
	config_unref(c);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: inkan-milter --import-opendkim FILE "
	    "[--table-dir DIR]\n");
	return 2;
}

int
import_opendkim_main(int argc, char **argv)
{
	struct imp im;
	struct buf errs = BUF_INIT;
	struct strlist defaults = STRLIST_INIT;
	struct stat st;
	int rc, n;

	memset(&im, 0, sizeof(im));
	if (argc == 5 && strcmp(argv[3], "--table-dir") == 0)
		im.table_dir = argv[4];
	else if (argc != 3)
		return usage();
	im.path = argv[2];
	if (im.table_dir != NULL && (stat(im.table_dir, &st) == -1 ||
	    !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "inkan-milter: --table-dir %s: not a directory\n",
		    im.table_dir);
		return 2;
	}
	if (read_conf(&im, im.path, 0, &errs) == -1) {
		fprintf(stderr, "inkan-milter: %s", buf_failed(&errs) ?
		    "out of memory\n" : buf_str(&errs));
		buf_free(&errs);
		imp_free(&im);
		return 2;
	}
	buf_free(&errs);
	if (default_sign_headers(&defaults) == -1) {
		fprintf(stderr, "inkan-milter: cannot load inkan's defaults\n");
		imp_free(&im);
		return 2;
	}
	rc = imp_translate(&im, &defaults);
	strlist_free(&defaults);
	if (rc == -1 || im.nomem) {
		if (im.nomem)
			fprintf(stderr, "inkan-milter: out of memory\n");
		imp_free(&im);
		return 2;
	}
	n = print(&im, stdout);
	imp_free(&im);
	if (n == -1)
		return 2;
	return n > 0 ? 1 : 0;
}
