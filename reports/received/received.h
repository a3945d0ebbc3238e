/* SPDX-License-Identifier: ISC */
/*
 * received.h - the subcommands of inkan-reports for the reports a domain
 * receives: import (import.c) and received (summary.c). Each takes the
 * arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the exit status.
 */
#ifndef INKAN_RCV_RECEIVED_H
#define INKAN_RCV_RECEIVED_H

struct report_db;
struct store_sql;

int	 rcv_import_main(int argc, char **argv);
int	 rcv_received_main(int argc, char **argv);

/*
 * Print s and a newline to stdout made safe for a terminal or a log
 * (xml_text_clean: no controls, valid UTF-8): it quotes file names and
 * values from reports, which come from anyone.
 */
void	 rcv_print_clean(const char *s);

/*
 * Open the report database at path for the received side (report_db_open,
 * then received_db_init): the handle, with *db its connection (SQLite or
 * PostgreSQL), or
 * NULL after a message on stderr.
 */
struct report_db *rcv_open_db(const char *path, struct store_sql **db);

#endif
