/* SPDX-License-Identifier: ISC */
/*
 * main.c - inkan-milter: options, start-up (config, socket, privileges),
 * libmilter's main loop, and a clean stop that lets messages in flight
 * finish. --evaluate runs the pipeline offline instead (evaluate.c);
 * --import-opendkim translates an opendkim.conf (import_opendkim.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
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
#include "sighup.h"

#define DEFAULT_CONFIG	"/etc/inkan/inkan.conf"
#define INKAN_VERSION	"0.1.0"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: inkan-milter [-fnV] [-c FILE]\n"
	    "       inkan-milter --evaluate MSGFILE ... (see inkan-milter(8))\n"
	    "       inkan-milter --import-opendkim FILE [--table-dir DIR]\n"
	    "  -c FILE  configuration (default %s if it exists,\n"
	    "           otherwise built-in defaults)\n"
	    "  -f       stay in the foreground and log to stderr\n"
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

/* Give up root for the configured user, keeping the socket usable. */
static int
drop_privileges(const struct config *c)
{
	const char *path = unix_path(c->socket);
	struct passwd *pw;

	if (*c->user == '\0')
		return 0;
	if ((pw = getpwnam(c->user)) == NULL) {
		log_errx("user %s does not exist", c->user);
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
	if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		log_warn("cannot become user %s", c->user);
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) != -1) {
		log_errx("could regain root after dropping privileges");
		return -1;
	}
	return 0;
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
	log_init("inkan-milter", false);
	log_errx("cannot start: the configuration has problems");
	for (p = copy; (line = strsep(&p, "\n")) != NULL;)
		if (*line != '\0')
			log_errx("%s", line);
	free(copy);
}

int
main(int argc, char **argv)
{
	struct buf problems = BUF_INIT;
	const char *path = NULL;
	struct config *c;
	bool foreground = false, check = false;
	int ch, waited;

	if (argc > 1 && strcmp(argv[1], "--evaluate") == 0) {
		int rc = evaluate_main(argc, argv);

		jobs_stop();	/* the SPF and DMARC threads, for a clean exit */
		key_cache_clear();
		return rc;
	}
	if (argc > 1 && strcmp(argv[1], "--import-opendkim") == 0)
		return import_opendkim_main(argc, argv);
	while ((ch = getopt(argc, argv, "c:fnVh")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'f': foreground = true; break;
		case 'n': check = true; break;
		case 'V': printf("inkan-milter %s\n", INKAN_VERSION); return 0;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if (path == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		path = DEFAULT_CONFIG;
	if ((c = config_load(path, &problems)) == NULL) {
		print_problems(&problems, !check && !foreground);
		buf_free(&problems);
		return 1;
	}
	buf_free(&problems);
	if (check) {
		printf("%s: configuration is valid; %zu signing keys\n",
		    path != NULL ? path : "built-in defaults",
		    keystore_count(c->keys));
		if (*c->dns_zone_file != '\0')
			printf("%s: warning: " CONFIG_ZONE_WARNING "\n",
			    path != NULL ? path : "built-in defaults",
			    c->dns_zone_file);
		config_unref(c);
		return 0;
	}
	log_init("inkan-milter", foreground || strcmp(c->log, "stderr") == 0);
	log_set_level(c->log_level);
	if (!foreground && daemon(0, 0) == -1) {
		log_warn("daemon");
		return 1;
	}
	config_install(config_ref(c));
	if (sighup_start(path) == -1) {
		log_warn("cannot start the reload thread");
		return 1;
	}
	if (smfi_register(glue_desc) != MI_SUCCESS ||
	    smfi_setconn(c->socket) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		log_errx("cannot listen on %s", c->socket);
		return 1;
	}
	if (*c->metrics_socket != '\0') {
		struct err e;

		/* after daemon(): the serving thread would not survive it */
		if (metrics_http_start(c->metrics_socket, &e) == -1) {
			log_errx("%s", e.msg);
			return 1;
		}
		log_info("metrics served on %s", c->metrics_socket);
	}
	if (drop_privileges(c) == -1)
		return 1;
	log_info("inkan-milter %s listening on %s; %zu signing keys; "
	    "authserv-id %s", INKAN_VERSION, c->socket, keystore_count(c->keys),
	    c->authserv_id);
	if (*c->dns_zone_file != '\0')
		log_warnx(CONFIG_ZONE_WARNING, c->dns_zone_file);
	if (smfi_main() != MI_SUCCESS)
		log_errx("milter main loop failed");
	/* libmilter stopped accepting; let messages in flight finish */
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
	log_info("inkan-milter stopped");
	config_unref(c);
	return 0;
}
