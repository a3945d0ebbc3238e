/* SPDX-License-Identifier: ISC */
/*
 * import_opendkim.h - `inkan-milter --import-opendkim FILE`: translate an
 * opendkim.conf into an equivalent inkan.conf, listing what does not carry
 * over (contract in inkan-milter(8)).
 */
#ifndef INKAN_IMPORT_OPENDKIM_H
#define INKAN_IMPORT_OPENDKIM_H

/*
 * argv[0] is the program, argv[1] "--import-opendkim". Prints the inkan.conf
 * on stdout. Returns the exit status: 0 when every setting carried over, 1
 * when some did not (each is listed in the output and on stderr), 2 for a
 * usage error, an unreadable file or table files that cannot be written.
 */
int	 import_opendkim_main(int argc, char **argv);

#endif
