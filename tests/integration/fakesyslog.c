/* SPDX-License-Identifier: ISC */
/*
 * fakesyslog.c - an LD_PRELOAD shim for ops_syslog_facility.py: openlog()
 * and syslog() as the C library has them, but each line goes as
 * "<PRI>IDENT[PID]: MESSAGE" (PRI = facility | severity, RFC 5424 6.2.1)
 * to the datagram socket $FAKESYSLOG instead of /dev/log, so the test sees
 * the facility inkan asked for without the host's syslog and without a
 * mount namespace (which cannot be made in a chroot, as CI's is).
 * Test code only; never installed.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static const char	*fs_ident = "";
static int		 fs_facility = LOG_USER;

void	openlog(const char *, int, int);
void	syslog(int, const char *, ...);
void	vsyslog(int, const char *, va_list);
void	__syslog_chk(int, int, const char *, ...);
void	__vsyslog_chk(int, int, const char *, va_list);
void	closelog(void);

void
openlog(const char *ident, int option, int facility)
{
	(void)option;
	fs_ident = ident != NULL ? ident : "";
	fs_facility = facility;
}

void
closelog(void)
{
}

void
vsyslog(int pri, const char *fmt, va_list ap)
{
	struct sockaddr_un sun;
	const char *path = getenv("FAKESYSLOG");
	char msg[8192];
	int n, s;

	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		return;
	if ((pri & LOG_FACMASK) == 0)
		pri |= fs_facility;
	n = snprintf(msg, sizeof(msg), "<%d>%s[%d]: ", pri, fs_ident,
	    (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return;
	(void)sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&sun,
	    sizeof(sun));
	close(s);
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void
__vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}

void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}
