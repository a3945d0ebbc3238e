/* SPDX-License-Identifier: ISC */
/*
 * render_report.h - a message's row for the DMARC aggregate reports
 * (RFC 9990), written from its results into the report database. Owner:
 * the caller keeps db; report_db_record copies the row.
 */
#ifndef INKAN_RENDER_REPORT_H
#define INKAN_RENDER_REPORT_H

#include "report_db.h"
#include "results.h"

/* Record r's row in db; nothing when db is NULL or no policy was found. */
void	 render_report(const struct results *r, struct report_db *db);

#endif
