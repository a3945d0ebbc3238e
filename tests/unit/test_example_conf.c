/* SPDX-License-Identifier: ISC */
/*
 * test_example_conf.c - contrib/inkan.conf tells the truth (issue 15).
 * The example says it shows every setting with its built-in default: each
 * "#name = value" line must hold exactly the default of config.c's table
 * (as config_describe prints it), every setting of the table must have
 * such a line, and examples that are not defaults are written
 * "# suggestion: name = value" with a known name. A default changed in the
 * table but not in the example (or the other way round) fails here.
 * Also inkan-milter(8): its SIGNALS section names exactly the settings
 * that take effect only at restart.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"

#define MAX_SETTINGS	128

struct setting {
	char	*name;
	char	*def;		/* "" for none */
	int	 seen;		/* "#name = value" lines in the example */
};

static struct setting	settings[MAX_SETTINGS];
static size_t		nsettings;

/* The table, from config_describe's "NAME DOC (default: VALUE)" lines. */
static int
read_table(void **state)
{
	struct buf doc = BUF_INIT;
	char *copy, *p, *line, *d;

	config_describe(&doc);
	assert_false(buf_failed(&doc));
	assert_non_null(copy = strdup(buf_str(&doc)));
	for (p = copy; (line = strsep(&p, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		assert_true(nsettings < MAX_SETTINGS);
		d = strstr(line, " (default: ");
		assert_non_null(d);
		while (strstr(d + 1, " (default: ") != NULL)
			d = strstr(d + 1, " (default: ");
		d += strlen(" (default: ");
		assert_int_equal(d[strlen(d) - 1], ')');
		d[strlen(d) - 1] = '\0';
		settings[nsettings].name = strndup(line, strcspn(line, " "));
		settings[nsettings].def = strdup(strcmp(d, "none") == 0 ? "" : d);
		assert_non_null(settings[nsettings].name);
		assert_non_null(settings[nsettings].def);
		nsettings++;
	}
	free(copy);
	buf_free(&doc);
	(void)state;
	return nsettings > 10 ? 0 : -1;
}

static int
free_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nsettings; i++) {
		free(settings[i].name);
		free(settings[i].def);
	}
	nsettings = 0;
	return 0;
}

static struct setting *
find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nsettings; i++)
		if (strlen(settings[i].name) == len &&
		    strncmp(settings[i].name, name, len) == 0)
			return &settings[i];
	return NULL;
}

/* "name = value" at s: the name's length, the value in *val; 0 if not. */
static size_t
assignment(const char *s, const char **val)
{
	size_t n = 0;
	const char *p;

	while (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) ||
	    s[n] == '_')
		n++;
	if (n == 0)
		return 0;
	for (p = s + n; *p == ' ' || *p == '\t'; p++)
		;
	if (*p != '=')
		return 0;
	for (p++; *p == ' ' || *p == '\t'; p++)
		;
	*val = p;
	return n;
}

static void
test_example_defaults(void **state)
{
	const char *path = INKAN_SOURCE_DIR "/contrib/inkan.conf";
	char *line = NULL;
	size_t cap = 0, i, n;
	ssize_t len;
	int lineno = 0, bad = 0;
	FILE *f;

	(void)state;
	if ((f = fopen(path, "re")) == NULL)
		fail_msg("%s: cannot open", path);
	while ((len = getline(&line, &cap, f)) != -1) {
		struct setting *s;
		const char *val;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (strncmp(line, "# suggestion: ", 14) == 0) {
			if ((n = assignment(line + 14, &val)) == 0 ||
			    find(line + 14, n) == NULL) {
				print_error("%s:%d: a suggestion that is not "
				    "\"name = value\" of a setting: %s\n", path,
				    lineno, line);
				bad++;
			}
			continue;
		}
		if (line[0] == '#' && (n = assignment(line + 1, &val)) > 0) {
			if ((s = find(line + 1, n)) == NULL) {
				print_error("%s:%d: no such setting: %s\n",
				    path, lineno, line);
				bad++;
			} else if (strcmp(val, s->def) != 0) {
				print_error("%s:%d: %.*s shows \"%s\"; its "
				    "default is \"%s\" (write other values as "
				    "# suggestion: ...)\n", path, lineno,
				    (int)n, line + 1, val, s->def);
				bad++;
			} else
				s->seen++;
			continue;
		}
		if (line[0] != '#' && line[0] != '\0') {
			print_error("%s:%d: a setting that is not commented "
			    "out (the example sets nothing): %s\n", path,
			    lineno, line);
			bad++;
		}
	}
	free(line);
	fclose(f);
	for (i = 0; i < nsettings; i++)
		if (settings[i].seen != 1) {
			print_error("%s: setting %s is shown %d times with its "
			    "default (want once: #%s = %s)\n", path,
			    settings[i].name, settings[i].seen,
			    settings[i].name, settings[i].def);
			bad++;
		}
	assert_int_equal(bad, 0);
}

/*
 * inkan-milter(8) SIGNALS, the SIGHUP item, names exactly the settings the
 * table marks as taking effect only at restart (not reloadable).
 */
static void
test_signals_restart_only(void **state)
{
	const char *path = INKAN_SOURCE_DIR "/contrib/man/inkan-milter.8";
	char *line = NULL;
	size_t cap = 0, i, n;
	ssize_t len;
	bool in_signals = false, in_hup = false;
	int bad = 0, named[MAX_SETTINGS];
	FILE *f;

	(void)state;
	memset(named, 0, sizeof(named));
	if ((f = fopen(path, "re")) == NULL)
		fail_msg("%s: cannot open", path);
	while ((len = getline(&line, &cap, f)) != -1) {
		if (strncmp(line, ".Sh ", 4) == 0)
			in_signals = strcmp(line, ".Sh SIGNALS\n") == 0;
		if (in_signals && strncmp(line, ".It ", 4) == 0)
			in_hup = strcmp(line, ".It Dv SIGHUP\n") == 0;
		if (!in_hup || strncmp(line, ".Cm ", 4) != 0)
			continue;
		n = strspn(line + 4, "abcdefghijklmnopqrstuvwxyz0123456789_");
		for (i = 0; i < nsettings; i++)
			if (strlen(settings[i].name) == n &&
			    strncmp(settings[i].name, line + 4, n) == 0)
				named[i]++;
	}
	free(line);
	fclose(f);
	for (i = 0; i < nsettings; i++) {
		bool restart = !config_reloadable(settings[i].name);

		if (restart && named[i] == 0) {
			print_error("%s: SIGNALS (SIGHUP) does not name %s, "
			    "which takes effect only at restart\n", path,
			    settings[i].name);
			bad++;
		} else if (!restart && named[i] > 0) {
			print_error("%s: SIGNALS (SIGHUP) names %s as taking "
			    "effect at restart, but a reload applies it\n",
			    path, settings[i].name);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_defaults),
		cmocka_unit_test(test_signals_restart_only),
	};

	return cmocka_run_group_tests(tests, read_table, free_table);
}
