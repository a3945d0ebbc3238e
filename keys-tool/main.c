/* SPDX-License-Identifier: ISC */
/*
 * main.c - inkan-keys: dispatch to a subcommand. It links the core and
 * parses no DKIM data of its own.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "keys.h"

static int
usage(void)
{
	fprintf(stderr,
	    "usage: inkan-keys generate --domain D --selector S --dir DIR\n"
	    "                  [--type rsa|ed25519] [--bits N] [--force]\n"
	    "                  [--format=zone|value]\n"
	    "       inkan-keys records --domain D (--config FILE | --dir DIR)\n"
	    "                  [--spf-ip ADDR]... [--spf-include DOMAIN]...\n"
	    "                  [--spf-a] [--spf-mx] [--spf-strict]\n"
	    "                  [--policy none|quarantine|reject]\n"
	    "                  [--subdomain-policy P] [--rua mailto:ADDR]\n"
	    "                  [--pct N] [--format=zone|value|json]\n"
	    "       inkan-keys check --domain D [--config FILE | --dir DIR]\n"
	    "                  [--selector S] [--ip ADDR]\n"
	    "                  [--dns-zone FILE | --resolver ADDR[@PORT]...]\n"
	    "                  [--dns-timeout MS]\n"
	    "       inkan-keys rotate --domain D --selector NEW --dir DIR\n"
	    "                  [--type rsa|ed25519] [--bits N]\n"
	    "                  [--format=zone|value]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	i18n_init();	/* check, records and rotate speak the locale's language */
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "generate") == 0)
		return keys_generate(argc - 1, argv + 1);
	if (strcmp(argv[1], "records") == 0)
		return keys_records(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return keys_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "rotate") == 0)
		return keys_rotate(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage();
		return 0;
	}
	fprintf(stderr, "inkan-keys: unknown command '%s'\n", argv[1]);
	return usage();
}
