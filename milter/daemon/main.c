/* SPDX-License-Identifier: ISC */
/*
 * main.c - inkan-milter: options, start-up (config, socket, privileges),
 * libmilter's main loop, and a clean stop that lets messages in flight
 * finish. --evaluate runs the pipeline offline instead (evaluate.c);
 * --import-opendkim translates an opendkim.conf (import_opendkim.c).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "config.h"
#include "evaluate.h"
#include "glue.h"
#include "import_opendkim.h"
#include "jobs.h"
#include "key_cache.h"
#include "log.h"
#include "metrics_http.h"
#include "pid_file.h"
#include "sighup.h"
#include "sockspec.h"
#include "world.h"

#define DEFAULT_CONFIG	"/etc/inkan/inkan.conf"
#define INKAN_VERSION	"0.1.0"

/* The usage on f: stdout when asked for (-h, --help), stderr on a mistake. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: inkan-milter [-fhnV] [-c FILE]\n"
	    "       inkan-milter --evaluate MSGFILE ... (see inkan-milter(8))\n"
	    "       inkan-milter --import-opendkim FILE [--table-dir DIR]\n"
	    "  -c FILE  configuration (default %s if it exists,\n"
	    "           otherwise built-in defaults)\n"
	    "  -f       stay in the foreground and log to stderr\n"
	    "  -h       print this usage (also --help)\n"
	    "  -n       check the configuration and keys, then exit\n"
	    "  -V       print the version\n", DEFAULT_CONFIG);
}

static const char *
unix_path(const char *sock)
{
	if (strncmp(sock, "unix:", 5) == 0)
		return sock + 5;
	if (strncmp(sock, "local:", 6) == 0)
		return sock + 6;
	return NULL;
}

/* Become pw (groups, then gid, then uid). 0, or -1 with e. */
static int
become_user(const struct passwd *pw, struct err *e)
{
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		return err_set(e, "cannot become user %s: %s", pw->pw_name,
		    strerror(errno));
	if (pw->pw_uid != 0 && setuid(0) != -1)
		return err_set(e, "could regain root after becoming %s",
		    pw->pw_name);
	return 0;
}

/* Give up root for the configured user, keeping the socket usable. */
static int
drop_privileges(const struct config *c, bool *dropped)
{
	const char *path = unix_path(c->socket);
	struct passwd *pw;
	struct err e;

	*dropped = false;
	if (*c->user == '\0')
		return 0;
	if ((pw = getpwnam(c->user)) == NULL) {
		log_errx("user %s does not exist", c->user);
		return -1;
	}
	/* only root changes user (nor can it hand over the socket) */
	if (geteuid() != 0 && (getuid() != pw->pw_uid ||
	    geteuid() != pw->pw_uid)) {
		log_errx("cannot become user %s: started as another user, not "
		    "root (under inkan-milter.service, which starts as User=inkan, "
		    "leave user unset)", c->user);
		return -1;
	}
	/* the socket's group may connect (add postfix to it) */
	if (path != NULL && (chown(path, pw->pw_uid, pw->pw_gid) == -1 ||
	    chmod(path, 0660) == -1)) {
		log_warn("cannot hand socket %s to %s", path, c->user);
		return -1;
	}
	/* the metrics socket too (metrics_http_start made it 0660) */
	if ((path = unix_path(c->metrics_socket)) != NULL &&
	    chown(path, pw->pw_uid, pw->pw_gid) == -1) {
		log_warn("cannot hand socket %s to %s", path, c->user);
		return -1;
	}
	/* started as that user already (systemd's User=): nothing to drop */
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return 0;
	if (become_user(pw, &e) == -1) {
		log_errx("%s", e.msg);
		return -1;
	}
	*dropped = true;
	return 0;
}

/*
 * -n as root for a config with "user": load the configuration again the
 * way SIGHUP will, as that user, in a child that has become the user. The
 * start reads keys as root, so a key or directory only root can read
 * (inkan-keys run as root makes them 0700) passes a check done as root
 * and then refuses every reload. Asking the kernel (open as the user) is
 * what the reload does, so nothing is missed that a computation from
 * stat() would: supplementary groups, ACLs, a root-squashed NFS mount,
 * every directory on the way, the config file and tables themselves.
 * 0, or -1 after printing why to stderr.
 */
static int
check_as_user(struct world *w, const char *path)
{
	struct buf problems = BUF_INIT;
	const struct config *c = w->cfg;
	struct passwd *pw;
	struct world *nw;
	struct err e;
	int status;
	pid_t pid;

	if (*c->user == '\0')
		return 0;
	if ((pw = getpwnam(c->user)) == NULL) {
		fprintf(stderr, "%s: user %s does not exist\n",
		    path != NULL ? path : "config", c->user);
		return -1;
	}
	if (geteuid() != 0 && (getuid() != pw->pw_uid ||
	    geteuid() != pw->pw_uid)) {
		/*
		 * A start like this one fails (only root can change user):
		 * typically an imported "user = opendkim" under the unit's
		 * User=inkan. A warning: the check may be run by hand for a
		 * daemon that root will start.
		 */
		struct passwd *me = getpwuid(geteuid());

		fprintf(stderr, "warning: user %s: started as %s (not root), "
		    "inkan-milter cannot become %s and would not start; under "
		    "inkan-milter.service (User=inkan) leave user unset\n",
		    c->user, me != NULL ? me->pw_name : "another user",
		    c->user);
		return 0;
	}
	if (geteuid() != 0 || pw->pw_uid == 0)
		return 0;	/* there is no drop to check */
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "cannot check as user %s: fork: %s\n",
		    c->user, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (become_user(pw, &e) == -1) {
			fprintf(stderr, "%s\n", e.msg);
			_exit(1);
		}
		/* as in the daemon: the root-loaded world is the running one */
		world_install(world_ref(w));
		if ((nw = world_load(path, &problems)) == NULL) {
			fprintf(stderr, "as user %s (after the privilege drop, "
			    "where SIGHUP reloads) the configuration does not "
			    "load:\n%s", c->user, buf_failed(&problems) ?
			    "out of memory\n" : buf_str(&problems));
			_exit(1);
		}
		_exit(0);	/* no clean-up: the parent owns it all */
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * A failure while starting: in the log and, before the daemon detaches
 * with the log in syslog, on stderr too, where whoever started it looks.
 */
static void __attribute__((format(printf, 2, 3)))
start_fail(bool also_stderr, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_errx("%s", line);
	if (also_stderr)
		fprintf(stderr, "inkan-milter: %s\n", line);
}

/*
 * The config path as given, made absolute against the directory we start
 * in: the daemon changes to / and SIGHUP reads the path again. Symbolic
 * links are kept (not realpath), so a link switched later is followed.
 * NULL when out of memory or the directory cannot be named.
 */
static char *
absolute_path(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (asprintf(&abs, "%s/%s", cwd, path) == -1)
		return NULL;
	return abs;
}

/*
 * An authserv-id with no dot is a single host label ("mail"): downstream
 * filters and the MTA's own trust rules know the server by its fully
 * qualified name, so results under a short name are missed and forgeries
 * under the full name are not removed. Worth a warning, not a refusal.
 */
static void
warn_authserv_id(const struct config *c)
{
	if (strchr(c->authserv_id, '.') != NULL)
		return;
	if (c->authserv_id_auto)
		fprintf(stderr, "warning: authserv_id is not set and this "
		    "host's name \"%s\" has no dot; inkan uses the MTA's j "
		    "macro (Postfix's myhostname) when the MTA sends one, "
		    "else \"%s\"; set authserv_id to the fully qualified "
		    "name (RFC 8601 2.5)\n", c->authserv_id, c->authserv_id);
	else
		fprintf(stderr, "warning: authserv_id \"%s\" has no dot; "
		    "use the server's fully qualified name, the one "
		    "downstream filters know it by (RFC 8601 2.5)\n",
		    c->authserv_id);
}

/*
 * A valid configuration that signs nothing is what a first try often is
 * (the key made in another directory, or none made yet): say so, since
 * outbound mail would leave unsigned without a word in the check.
 */
static void
warn_no_keys(const struct world *w)
{
	const struct config *c = w->cfg;

	if (keystore_count(w->keys) > 0)
		return;
	if (*c->key_dir != '\0')
		fprintf(stderr, "warning: nothing will be signed: key_dir %s "
		    "holds no keys (DOMAIN/SELECTOR.private; make one with "
		    "inkan-keys generate --dir %s)\n", c->key_dir, c->key_dir);
	else if (*c->key_table != '\0')
		fprintf(stderr, "warning: nothing will be signed: key_table "
		    "%s holds no keys\n", c->key_table);
	else
		fprintf(stderr, "warning: nothing will be signed: no key_dir "
		    "and no key table (key_table/signing_table) is set\n");
}

/*
 * Say what is wrong on stderr and, for a daemon started by a service
 * manager whose stderr nobody reads, in syslog too.
 */
static void
print_problems(const struct buf *problems, bool to_syslog)
{
	char *copy, *p, *line;

	fprintf(stderr, "%s", buf_failed(problems) ? "out of memory\n" :
	    buf_str(problems));
	if (!to_syslog || (copy = strdup(buf_str(problems))) == NULL)
		return;
	log_init("inkan-milter", false, LOG_MAIL);
	log_errx("cannot start: the configuration has problems");
	for (p = copy; (line = strsep(&p, "\n")) != NULL;)
		if (*line != '\0')
			log_errx("%s", line);
	free(copy);
}

/* Listen on c->socket before detaching, so a failure is seen. */
static int
open_socket(const struct config *c, bool also_stderr)
{
	struct sockspec ss;
	struct err e;

	/* config_load has parsed it; what can be known without binding */
	if (sockspec_parse(c->socket, &ss, &e) == -1 ||
	    sockspec_check(&ss, &e) == -1) {
		start_fail(also_stderr, "cannot listen on %s: %s", c->socket,
		    e.msg);
		return -1;
	}
	if (smfi_register(glue_desc) != MI_SUCCESS ||
	    smfi_setconn(c->socket) != MI_SUCCESS ||
	    smfi_settimeout((int)c->milter_timeout) != MI_SUCCESS) {
		start_fail(also_stderr, "cannot set up libmilter for %s",
		    c->socket);
		return -1;
	}
	if (smfi_opensocket(true) != MI_SUCCESS) {
		/* libmilter said why only to syslog: find out ourselves */
		if (sockspec_probe(&ss, &e) == -1)
			start_fail(also_stderr, "cannot listen on %s: %s",
			    c->socket, e.msg);
		else
			start_fail(also_stderr, "cannot listen on %s (libmilter "
			    "gave its reason to syslog)", c->socket);
		return -1;
	}
	return 0;
}

/*
 * Just after the drop: the keys were read as root, SIGHUP reads them as
 * c->user. Say now, at the start where the admin looks, if that will fail.
 */
static void
check_reload(const struct config *c, const char *path)
{
	struct buf problems = BUF_INIT;
	struct world *nw;

	if ((nw = world_load(path, &problems)) == NULL) {
		log_warnx("as user %s the configuration does not load, so "
		    "SIGHUP will refuse to reload it:", c->user);
		log_lines(LOG_WARNING, buf_failed(&problems) ? "out of memory" :
		    buf_str(&problems));
	}
	world_unref(nw);
	buf_free(&problems);
}

/* The pid file, if we wrote it; a failure to is only said. */
static void
remove_pid_file(const struct config *c)
{
	struct err e;

	if (*c->pid_file != '\0' && pid_file_remove(c->pid_file, &e) == -1)
		log_warnx("%s", e.msg);
}

/* libmilter stopped accepting: let messages in flight finish, then stop. */
static void
stop(const struct config *c)
{
	int waited;

	for (waited = 0; glue_active_connections() > 0 &&
	    (unsigned long)waited < c->shutdown_timeout * 10; waited++)
		usleep(100000);
	if (glue_active_connections() > 0)
		log_warnx("stopping with %d connections still open",
		    glue_active_connections());
	/* a stale socket file would make the next start think we still run */
	if (unix_path(c->socket) != NULL)
		(void)unlink(unix_path(c->socket));
	metrics_http_stop();
	sighup_stop();
	jobs_stop();
	key_cache_clear();
	remove_pid_file(c);
	log_info("inkan-milter stopped");
}

/* -n: every check that needs no binding and no running daemon. */
static int
check_only(struct world *w, const char *path)
{
	const struct config *c = w->cfg;
	struct sockspec ss;
	struct err e;
	int rc = 0;

	if (sockspec_parse(c->socket, &ss, &e) == -1 ||
	    sockspec_check(&ss, &e) == -1) {
		/* not bound: a running inkan-milter holds it (see -n in inkan-milter(8)) */
		fprintf(stderr, "%s: socket %s: %s\n", path != NULL ? path :
		    "config", c->socket, e.msg);
		rc = -1;
	}
	if (check_as_user(w, path) == -1)
		rc = -1;
	if (w->warnings.len > 0) {
		char *p, *line, *copy = strdup(buf_str(&w->warnings));

		for (p = copy; p != NULL && (line = strsep(&p, "\n")) != NULL;)
			if (*line != '\0')
				fprintf(stderr, "warning: %s\n", line);
		free(copy);
	}
	warn_no_keys(w);
	if (rc == 0)
		printf("%s: configuration is valid; %zu signing keys\n",
		    path != NULL ? path : "built-in defaults",
		    keystore_count(w->keys));
	if (*c->dns_zone_file != '\0')
		printf("%s: warning: " CONFIG_ZONE_WARNING "\n",
		    path != NULL ? path : "built-in defaults", c->dns_zone_file);
	warn_authserv_id(c);
	return rc;
}

int
main(int argc, char **argv)
{
	struct buf problems = BUF_INIT;
	char *path = NULL;
	const struct config *c;
	struct config *cfg;
	struct world *w;
	bool foreground = false, check = false, also_stderr, dropped;
	bool pid_written = false;
	int ch, pidfd = -1;

	if (argc > 1 && strcmp(argv[1], "--evaluate") == 0) {
		int rc = evaluate_main(argc, argv);

		jobs_stop();	/* the SPF and DMARC threads, for a clean exit */
		key_cache_clear();
		return rc;
	}
	if (argc > 1 && strcmp(argv[1], "--import-opendkim") == 0)
		return import_opendkim_main(argc, argv);
	/* getopt knows no long options: --help would be an unknown "-" */
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	while ((ch = getopt(argc, argv, "c:fnVh")) != -1) {
		switch (ch) {
		case 'c':
			free(path);
			if ((path = absolute_path(optarg)) == NULL) {
				fprintf(stderr, "inkan-milter: %s: cannot make "
				    "the path absolute: %s\n", optarg,
				    strerror(errno));
				return 1;
			}
			break;
		case 'f': foreground = true; break;
		case 'n': check = true; break;
		case 'V': printf("inkan-milter %s\n", INKAN_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		free(path);
		return 2;
	}
	if (path == NULL && access(DEFAULT_CONFIG, F_OK) == 0 &&
	    (path = strdup(DEFAULT_CONFIG)) == NULL)
		return 1;
	if ((cfg = config_load(path, &problems)) == NULL) {
		print_problems(&problems, !check && !foreground);
		buf_free(&problems);
		free(path);
		return 1;
	}
	/*
	 * -n decodes every key; the daemon each on first use (keystore.h).
	 * Not a daemon started as root that gives up root for user: its keys
	 * may be readable by root alone, and after the drop a key decoded on
	 * first use could not be read, so it decodes them all now, as root,
	 * and keeps them all (no bound on the cache), as before the lazy
	 * store. A large key_dir starts fast under a service manager that
	 * starts the daemon as its user (inkan-milter.service: User=inkan).
	 */
	if (!check && *cfg->user != '\0' && geteuid() == 0)
		keystore_cache_limit(SIZE_MAX);
	else if (!check)
		world_set_key_check(KEYSTORE_CHECK_FILES);
	if ((w = world_build(cfg, &problems)) == NULL) {
		print_problems(&problems, !check && !foreground);
		buf_free(&problems);
		free(path);
		return 1;
	}
	buf_free(&problems);
	c = w->cfg;
	if (check) {
		int rc = check_only(w, path);

		world_unref(w);
		free(path);
		return rc == 0 ? 0 : 1;
	}
	log_init("inkan-milter", foreground || c->log == CONFIG_LOG_STDERR,
	    c->syslog_facility);
	log_set_level(c->log_level);
	/* stderr is the log, or is about to become /dev/null */
	also_stderr = !foreground && c->log != CONFIG_LOG_STDERR;
	log_lines(LOG_WARNING, buf_str(&w->warnings));
	/*
	 * The pid file is opened as root, before the socket (another live
	 * daemon is named, not only its socket found in use) and before
	 * detaching (a failure reaches the terminal); the process that stays
	 * writes it.
	 */
	if (*c->pid_file != '\0') {
		struct err e;

		if ((pidfd = pid_file_open(c->pid_file, &e)) == -1) {
			start_fail(also_stderr, "%s", e.msg);
			goto fail;
		}
	}
	if (open_socket(c, also_stderr) == -1)
		goto fail;
	if (!foreground && daemon(0, 0) == -1) {
		log_warn("daemon");
		goto fail;
	}
	if (pidfd != -1) {
		struct err e;

		pid_written = true;	/* the file may hold part of it */
		if (pid_file_write(pidfd, c->pid_file, &e) == -1) {
			pidfd = -1;
			log_errx("%s", e.msg);
			goto fail;
		}
		pidfd = -1;
	}
	world_install(world_ref(w));
	if (sighup_start(path) == -1) {
		log_warn("cannot start the reload thread");
		goto fail;
	}
	if (*c->metrics_socket != '\0') {
		struct err e;

		/* after daemon(): the serving thread would not survive it */
		if (metrics_http_start(c->metrics_socket, &e) == -1) {
			log_errx("%s", e.msg);
			goto fail;
		}
		log_info("metrics served on %s", c->metrics_socket);
	}
	if (drop_privileges(c, &dropped) == -1)
		goto fail;
	if (dropped)
		check_reload(c, path);
	log_info("inkan-milter %s listening on %s; %zu signing keys; "
	    "authserv-id %s%s; milter_timeout %lus", INKAN_VERSION, c->socket,
	    keystore_count(w->keys), c->authserv_id, c->authserv_id_auto ?
	    " (unless the MTA sends its name as j)" : "", c->milter_timeout);
	if (*c->dns_zone_file != '\0')
		log_warnx(CONFIG_ZONE_WARNING, c->dns_zone_file);
	if (smfi_main() != MI_SUCCESS)
		log_errx("milter main loop failed");
	stop(c);
	world_unref(w);
	free(path);
	return 0;
fail:
	/* a start that failed: release what it had, as a clean stop does */
	if (pidfd != -1)
		close(pidfd);
	if (pid_written)
		remove_pid_file(c);
	metrics_http_stop();
	sighup_stop();
	world_install(NULL);
	world_unref(w);
	free(path);
	return 1;
}
