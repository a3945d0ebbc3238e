/* SPDX-License-Identifier: ISC */
/*
 * log.h - the one log module of the daemon (the core never logs).
 * Lines go to syslog (facility mail unless syslog_facility says) or, in the foreground or for tests,
 * to stderr. The *_errno variants append strerror(errno). Never pass key
 * material or message bodies here.
 */
#ifndef INKAN_LOG_H
#define INKAN_LOG_H

#include <stdbool.h>
#include <syslog.h>

/*
 * Start logging; to_stderr picks stderr over syslog, facility is openlog's
 * (LOG_MAIL, LOG_LOCAL0, ...). Safe to call again.
 */
void	 log_init(const char *ident, bool to_stderr, int facility);
/* The words syslog_facility takes; log_facility_parse knows each. */
#define LOG_FACILITY_NAMES "mail, daemon, user or local0 to local7"
/* name ("mail", "local3", any case) to *facility; 0, or -1 if unknown. */
int	 log_facility_parse(const char *name, int *facility);
/* The name of a facility log_facility_parse knows; "unknown" otherwise. */
const char *log_facility_name(int facility);
/* Drop messages less important than level (LOG_DEBUG ... LOG_ERR). */
void	 log_set_level(int level);
void	 log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_errno(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* One log line per line of text (lines end in '\n'; empty ones skipped). */
void	 log_lines(int level, const char *text);

#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warnx(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_warn(...)	log_errno(LOG_WARNING, __VA_ARGS__)
#define log_errx(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
