/* SPDX-License-Identifier: ISC */
/*
 * render_metrics.h - a message's share of the metrics (metrics.h), counted
 * from its results: its role, the signatures made or none, each DKIM
 * result, SPF and DMARC. The action is the glue's to count (what the MTA
 * was really told).
 */
#ifndef INKAN_RENDER_METRICS_H
#define INKAN_RENDER_METRICS_H

#include "results.h"

void	 render_metrics(const struct results *);

#endif
