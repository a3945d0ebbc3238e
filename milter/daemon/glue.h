/* SPDX-License-Identifier: ISC */
/*
 * glue.h - libmilter callbacks. Each fetches the connection's txn, makes
 * one txn_* call and maps the result to an sfsistat; nothing else.
 */
#ifndef INKAN_GLUE_H
#define INKAN_GLUE_H

#include <libmilter/mfapi.h>

extern struct smfiDesc glue_desc;

/* Connections open right now, for a clean stop on SIGTERM. */
int	 glue_active_connections(void);

#endif
