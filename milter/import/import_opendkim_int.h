/* SPDX-License-Identifier: ISC */
/*
 * import_opendkim_int.h - what import_opendkim.c (reading opendkim.conf,
 * printing inkan.conf) shares with import_opendkim_map.c (what each
 * OpenDKIM setting becomes). Used by nothing else.
 * One struct imp holds a whole import: the settings read (struct ent, in
 * file order, Includes expanded in place) and the inkan settings to print
 * (struct out). It owns every string in it; import_opendkim.c frees it.
 */
#ifndef INKAN_IMPORT_OPENDKIM_INT_H
#define INKAN_IMPORT_OPENDKIM_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "strlist.h"

#define IMP_MAX_DEPTH	5	/* opendkim.conf(5), Include */
#define IMP_MAX_LINE	8192	/* longer lines are refused, as inkan.conf's */
#define IMP_MAX_ENTRIES	4096	/* settings over all included files */
#define IMP_MAX_ITEMS	100000	/* items read from one data set file */
#define IMP_MAX_SHOW	200	/* bytes of a value quoted in a comment */
#define IMP_NOUT	22	/* inkan settings an import can write */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

enum ent_state {
	ENT_UNUSED,		/* nothing looked at it (yet) */
	ENT_USED,		/* carried over */
	ENT_NOTE,		/* nothing to do in inkan */
	ENT_NOT,		/* not translated */
};

struct ent {				/* one "Name value" line */
	char		*name;
	char		*value;
	const char	*file;		/* owned by imp.files */
	int		 line;
	bool		 overridden;	/* a later line sets it again */
	enum ent_state	 state;
	char		*why;		/* ENT_NOTE, ENT_NOT */
};

struct out {
	char		*value;		/* NULL: not written */
	struct buf	 text;		/* comment lines printed above it */
};

struct imp {
	const char	*path;
	const char	*table_dir;	/* --table-dir, or NULL */
	struct ent	*e;
	size_t		 n;
	char		**files;
	size_t		 nfiles;
	struct out	 out[IMP_NOUT];
	struct buf	 extra;		/* comments printed after the settings */
	bool		 nomem;		/* an allocation failed: exit 2 */
};

/* strdup that records a failure in im->nomem. */
char	*imp_strdup(struct imp *, const char *);
/* Cut blanks off both ends, in place. */
char	*imp_trim(char *);

/* The setting name in force (the last one set), or NULL. */
struct ent *imp_get(struct imp *, const char *name);
/* Mark x (may be NULL) "nothing to do" or "not translated", with why. */
void	 imp_note(struct imp *, struct ent *x, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 imp_nottr(struct imp *, struct ent *x, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* opendkim.conf(5) boolean: 0 and *out, or -1 if it is none. */
int	 imp_bool(const struct ent *x, bool *out);
/* Word-wrapped "# " comment lines. */
void	 imp_comment(struct buf *, const char *text);
/* The output slot of inkan setting name (one of out_names[]). */
struct out *imp_out(struct imp *, const char *name);
/* Quote x above inkan setting name, and count x as carried over. */
void	 imp_cite(struct imp *, const char *name, struct ent *x);
/*
 * Write inkan setting name = value, coming from x (may be NULL); an earlier
 * value of the same setting is replaced. False if the line would be too
 * long for inkan.conf (x is then not translated).
 */
bool	 imp_put(struct imp *, const char *name, const char *value,
	    struct ent *x);
/* A comment above inkan setting name. */
void	 imp_advise(struct imp *, const char *name, const char *text);
/*
 * The items of data set v (opendkim(8), DATA SETS) appended to out. NULL,
 * or the problem in words (in why, or static).
 */
const char *imp_dataset(const char *v, struct strlist *out, char *why,
	    size_t whylen);

/*
 * Translate every setting read: fill im->out and mark each entry. inkan's
 * default sign_headers is given for OpenDKIM's "*" lists. Returns 0, or -1
 * when --table-dir files could not be written (said on stderr).
 */
int	 imp_translate(struct imp *, const struct strlist *default_sign_headers);
/*
 * import_opendkim_keys.c: Mode, KeyTable, SigningTable and the single-key
 * setup. 0, or -1 when a table could not be written.
 */
int	 import_opendkim_keys_translate(struct imp *);

#endif
