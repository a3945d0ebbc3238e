/* SPDX-License-Identifier: ISC */
/*
 * sighup.c - reload on SIGHUP without dropping connections.
 * libmilter runs its own signal thread that sigwait()s for SIGHUP, SIGTERM
 * and SIGINT and treats SIGHUP like SIGTERM: it stops the milter. We want
 * SIGHUP to reload instead, so this file defines sigwait() itself: the
 * executable's definition is the one libmilter's call binds to, and it
 * waits for the same set minus SIGHUP. SIGHUP stays blocked in every thread
 * and only our reload thread (which calls sigwaitinfo, not sigwait) takes
 * it. SIGTERM and SIGINT still go to libmilter, which stops accepting and
 * returns from smfi_main; main then waits for messages in flight.
 * A broken new config is refused whole: the old one stays and the log says
 * why, line by line. At exit, sighup_stop() wakes the thread with a SIGHUP
 * aimed at it alone and joins it, so nothing of ours is left running.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "sighup.h"
#include "world.h"

static char *reload_path;
static pthread_t reload_tid;
static bool reload_running;
static atomic_bool reload_quit;

int
sigwait(const sigset_t *set, int *sig)
{
	sigset_t mine = *set;
	int r;

	sigdelset(&mine, SIGHUP);
	do {
		r = sigwaitinfo(&mine, NULL);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return errno;
	*sig = r;
	return 0;
}

static void
reload(void)
{
	struct buf problems = BUF_INIT;
	struct world *old, *w;
	const struct config *c;

	if ((w = world_load(reload_path, &problems)) == NULL) {
		metrics_reload(false);
		log_errx("reload of %s failed; keeping the running "
		    "configuration", reload_path ? reload_path : "defaults");
		log_lines(LOG_ERR, buf_str(&problems));
		buf_free(&problems);
		return;
	}
	buf_free(&problems);
	c = w->cfg;
	if ((old = world_current()) != NULL) {
		struct buf changed = BUF_INIT;
		int n;

		/* only the restart-only settings that did change, by name */
		if ((n = config_restart_changes(old->cfg, c, &changed)) > 0)
			log_warnx("reload: %s changed; %s effect only at "
			    "restart (the running value%s stay%s)",
			    buf_failed(&changed) ? "settings" : buf_str(&changed),
			    n == 1 ? "takes" : "take", n == 1 ? "" : "s",
			    n == 1 ? "s" : "");
		buf_free(&changed);
		world_unref(old);
	}
	log_set_level(c->log_level);
	metrics_reload(true);
	log_info("configuration reloaded from %s: %zu signing keys",
	    reload_path ? reload_path : "defaults", keystore_count(w->keys));
	log_lines(LOG_WARNING, buf_str(&w->warnings));
	if (*c->dns_zone_file != '\0')
		log_warnx(CONFIG_ZONE_WARNING, c->dns_zone_file);
	world_install(w);
}

static void *
reload_thread(void *arg)
{
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	for (;;) {
		int s = sigwaitinfo(&set, NULL);

		if (atomic_load(&reload_quit))
			break;
		if (s == SIGHUP)
			reload();
	}
	return NULL;
}

int
sighup_start(const char *path)
{
	sigset_t set;

	if (path != NULL && (reload_path = strdup(path)) == NULL)
		return -1;
	/*
	 * Block all three before the thread starts, so it inherits the mask:
	 * a thread with SIGTERM unblocked would take the default action
	 * (terminate at once) instead of letting libmilter stop cleanly.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	if (pthread_create(&reload_tid, NULL, reload_thread, NULL) != 0)
		return -1;
	reload_running = true;
	return 0;
}

void
sighup_stop(void)
{
	if (reload_running) {
		/*
		 * SIGHUP is blocked in every thread, so this one stays pending
		 * for the reload thread until its sigwaitinfo takes it, even
		 * if it is in the middle of a reload right now.
		 */
		atomic_store(&reload_quit, true);
		if (pthread_kill(reload_tid, SIGHUP) == 0)
			pthread_join(reload_tid, NULL);
		reload_running = false;
	}
	free(reload_path);
	reload_path = NULL;
}
