/* SPDX-License-Identifier: ISC */
/*
 * keys.h - the subcommands of inkan-keys. Each takes the arguments after
 * its name and returns the exit status: 0 done, 1 a check found a problem,
 * 2 bad usage or input.
 */
#ifndef INKAN_KEYS_H
#define INKAN_KEYS_H

int	 keys_generate(int argc, char **argv);

#endif
