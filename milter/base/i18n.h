/* SPDX-License-Identifier: ISC */
/*
 * i18n.h - messages in the language of the locale (gettext, text domain
 * "inkan"), for what people read at a terminal: inkan-keys check,
 * records and rotate, and inkan-reports received (text and HTML). What
 * machines or other servers read stays English and never goes through
 * _(): SMTP replies, log lines, Authentication-Results, report XML,
 * --json.
 * i18n_init() takes LC_MESSAGES and LC_CTYPE from the environment (LANG,
 * LC_ALL, LC_MESSAGES), never LC_NUMERIC: numbers written for machines
 * (SVG coordinates, JSON) keep their '.'. The catalogues are looked up in
 * INKAN_LOCALEDIR (set by CMake: share/locale under the prefix), or in
 * the directory the environment variable INKAN_LOCALEDIR names (the
 * tests use the build tree's). With LANG=C or no catalogue for the
 * language, every message is its English msgid, byte for byte.
 * Header only: each program calls i18n_init() once at the start of main.
 */
#ifndef INKAN_I18N_H
#define INKAN_I18N_H

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>

#ifndef INKAN_LOCALEDIR
#define INKAN_LOCALEDIR	"/usr/share/locale"
#endif
#define INKAN_TEXTDOMAIN	"inkan"

/* A message to translate; N_ marks one that is translated where used. */
#define _(s)	gettext(s)
#define N_(s)	(s)

static inline void
i18n_init(void)
{
	const char *dir = getenv("INKAN_LOCALEDIR");

	if (dir == NULL || *dir == '\0')
		dir = INKAN_LOCALEDIR;
	(void)setlocale(LC_CTYPE, "");
	(void)setlocale(LC_MESSAGES, "");
	(void)bindtextdomain(INKAN_TEXTDOMAIN, dir);
	(void)textdomain(INKAN_TEXTDOMAIN);
}

#endif
