/* SPDX-License-Identifier: ISC */
/*
 * world.c - build, share and replace the world (see world.h).
 */
#include <pthread.h>
#include <stdlib.h>

#include <libpsl.h>

#include "dkim_key.h"
#include "dns.h"
#include "log.h"
#include "report_db.h"
#include "store_sql.h"
#include "resolver.h"
#include "world.h"

static void
world_free(struct world *w)
{
	if (w == NULL)
		return;
	keystore_free(w->keys);
	dns_resolver_free(w->resolver);
	if (w->psl != NULL)
		psl_free(w->psl);
	report_db_close(w->reports);
	EVP_PKEY_free(w->arc_key);
	buf_free(&w->warnings);
	config_unref(w->cfg);
	free(w);
}

/* The resolver the settings ask for: a zone file, or libunbound. */
static int
make_resolver(struct world *w, struct buf *problems)
{
	const struct config *c = w->cfg;
	struct err e;

	if (*c->dns_zone_file != '\0') {
		if ((w->resolver = resolver_counted(
		    dns_zone_open(c->dns_zone_file, &e), &e)) == NULL) {
			buf_printf(problems, "dns_zone_file: %s\n", e.msg);
			return 1;
		}
		return 0;
	}
	if ((w->resolver = resolver_counted(resolver_system(c, &e),
	    &e)) == NULL) {
		buf_printf(problems, "DNS resolver: %s\n", e.msg);
		return 1;
	}
	return 0;
}

/* The Public Suffix List, for dmarc_discovery = psl only. */
static int
load_psl(struct world *w, struct buf *problems)
{
	const struct config *c = w->cfg;

	if (c->discovery != DMARC_DISCOVERY_PSL)
		return 0;
	if ((w->psl = psl_load_file(c->dmarc_psl_file)) == NULL) {
		buf_printf(problems, "%s: dmarc_psl_file %s: cannot load the "
		    "Public Suffix List (Debian package publicsuffix)\n",
		    c->path != NULL ? c->path : "config", c->dmarc_psl_file);
		return 1;
	}
	return 0;
}

/*
 * arc_seal = yes: the sealing key, refused at load when it cannot be used
 * (RFC 8617 4.1.2, 4.1.3: ARC signs with rsa-sha256 only), so a sealer
 * misconfigured shows at start, reload and -n rather than on the first
 * message. arc_seal_key, or key_dir/DOMAIN/SELECTOR.private as DKIM keys.
 */
static int
load_arc_key(struct world *w, struct buf *problems)
{
	const struct config *c = w->cfg;
	const char *path = c->path != NULL ? c->path : "config";
	struct buf file = BUF_INIT;
	enum dkim_key_type type;
	struct err e;
	int n = 0;

	if (!c->arc_seal)
		return 0;
	if (*c->arc_seal_domain == '\0' || *c->arc_seal_selector == '\0') {
		buf_printf(problems, "%s: arc_seal = yes needs arc_seal_domain "
		    "and arc_seal_selector\n", path);
		return 1;
	}
	if (*c->arc_seal_key != '\0')
		buf_adds(&file, c->arc_seal_key);
	else if (*c->key_dir != '\0')
		buf_printf(&file, "%s/%s/%s.private", c->key_dir,
		    c->arc_seal_domain, c->arc_seal_selector);
	else {
		buf_printf(problems, "%s: arc_seal = yes needs arc_seal_key "
		    "(or key_dir holding %s/%s.private)\n", path,
		    c->arc_seal_domain, c->arc_seal_selector);
		return 1;
	}
	if (buf_failed(&file))
		n = 1;
	else if ((w->arc_key = keystore_read_key(buf_str(&file),
	    problems)) == NULL) {
		buf_printf(problems, "%s: arc_seal_key: no usable key for "
		    "sealing\n", path);
		n = 1;
	} else if (dkim_key_type(w->arc_key, &type, &e) == -1 ||
	    type != DKIM_KEY_RSA) {
		buf_printf(problems, "%s: %s: ARC sealing needs an RSA key "
		    "(RFC 8617: rsa-sha256 only)\n", path, buf_str(&file));
		EVP_PKEY_free(w->arc_key);
		w->arc_key = NULL;
		n = 1;
	}
	buf_free(&file);
	return n;
}

/*
 * The report database never holds up mail: a row it cannot write is dropped
 * and this says so once per database.
 */
static void
report_db_trouble(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("DMARC report database: %s; results are not being recorded "
	    "(mail is not affected)", msg);
}

/* PostgreSQL: gone away (rows spooled), back, spool sent, rows dropped. */
static void
report_db_note(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("DMARC report database: %s", msg);
}

/*
 * The report database. On a reload, a restart-only dmarc_report_db (the
 * table says so) keeps the running database: it was opened before the
 * daemon gave up root; reopened now, as the unprivileged user, it would be
 * read-only, and a database gone bad would refuse the whole reload (key
 * changes included) over a side channel. (sighup.c names the setting when
 * it changed.)
 */
static int
open_reports(struct world *w, const struct world *running,
    struct buf *problems)
{
	const struct config *c = w->cfg;
	struct err e;

	if (running != NULL && !config_reloadable("dmarc_report_db")) {
		if (running->reports != NULL)
			w->reports = report_db_ref(running->reports);
		return 0;
	}
	if (*c->dmarc_report_db == '\0')
		return 0;
	if ((w->reports = report_db_open_async(c->dmarc_report_db,
	    c->dmarc_report_spool, &e)) == NULL) {
		/* a PostgreSQL URI may hold a password: not repeated */
		buf_printf(problems, "dmarc_report_db %s: %s\n",
		    store_sql_is_postgres(c->dmarc_report_db) ? "(PostgreSQL)" :
		    c->dmarc_report_db, e.msg);
		return 1;
	}
	/* PostgreSQL's notes say themselves what happens to the rows */
	report_db_on_error(w->reports, store_sql_is_postgres(c->dmarc_report_db) ?
	    report_db_note : report_db_trouble, NULL);
	return 0;
}

/* KEYSTORE_CHECK_ALL unless the daemon said otherwise (world.h). */
static enum keystore_check key_check = KEYSTORE_CHECK_ALL;

void
world_set_key_check(enum keystore_check check)
{
	key_check = check;
}

struct world *
world_build(struct config *cfg, struct buf *problems)
{
	struct world *w, *running;
	int n = 0;

	if (cfg == NULL)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		config_unref(cfg);
		return NULL;
	}
	w->refcnt = 1;
	w->cfg = cfg;
	running = world_current();
	w->keys = keystore_load_config(cfg, key_check, running != NULL ?
	    running->keys : NULL, problems, &n);
	if (w->keys == NULL) {
		world_unref(running);
		world_free(w);
		return NULL;
	}
	if (n == 0)
		n += make_resolver(w, problems);
	if (n == 0)
		n += load_psl(w, problems);
	if (n == 0)
		n += load_arc_key(w, problems);
	if (n == 0 && keystore_warnings(w->keys, running != NULL ?
	    running->keys : NULL, &w->warnings) == -1)
		n++;
	if (n == 0)
		n += open_reports(w, running, problems);
	world_unref(running);
	if (n > 0 || buf_failed(problems) || buf_failed(&w->warnings)) {
		world_free(w);
		return NULL;
	}
	return w;
}

struct world *
world_load(const char *path, struct buf *problems)
{
	return world_build(config_load(path, problems), problems);
}

struct world *
world_ref(struct world *w)
{
	__atomic_add_fetch(&w->refcnt, 1, __ATOMIC_SEQ_CST);
	return w;
}

void
world_unref(struct world *w)
{
	if (w != NULL && __atomic_sub_fetch(&w->refcnt, 1, __ATOMIC_SEQ_CST) == 0)
		world_free(w);
}

void
world_set_resolver(struct world *w, struct dns_resolver *res)
{
	dns_resolver_free(w->resolver);
	w->resolver = res;
}

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct world *current;

struct world *
world_current(void)
{
	struct world *w;

	pthread_mutex_lock(&current_lock);
	w = current != NULL ? world_ref(current) : NULL;
	pthread_mutex_unlock(&current_lock);
	return w;
}

void
world_install(struct world *w)
{
	struct world *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = w;
	pthread_mutex_unlock(&current_lock);
	world_unref(old);
}
