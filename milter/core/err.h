/* SPDX-License-Identifier: ISC */
/*
 * err.h - the failure channel (STYLE.md section 3).
 * A function that could not do its job (no memory, an OpenSSL error, a file
 * that cannot be read) returns -1 and describes why in a struct err owned by
 * the caller. Outcomes of checks (pass, fail, permerror) never travel here.
 */
#ifndef INKAN_ERR_H
#define INKAN_ERR_H

#define ERR_MSG_MAX	256

struct err {
	char	msg[ERR_MSG_MAX];
};

/* Fill e (which may be NULL) with a printf-style message; returns -1. */
int	 err_set(struct err *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Like err_set, appending OpenSSL's first queued error (and clearing the queue). */
int	 err_ssl(struct err *e, const char *what);

#endif
