/* SPDX-License-Identifier: ISC */
/*
 * evaluate.h - `inkan-milter --evaluate`: the daemon's pipeline for one
 * transaction, offline (contract in DESIGN.md).
 */
#ifndef INKAN_EVALUATE_H
#define INKAN_EVALUATE_H

/* argv[0] is the program, argv[1] "--evaluate". Returns the exit status. */
int	 evaluate_main(int argc, char **argv);

#endif
