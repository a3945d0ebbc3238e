/* SPDX-License-Identifier: ISC */
/*
 * spf_task.c - run check_host() for MAIL FROM and HELO in a worker thread
 * (see spf_task.h), taken from the jobs pool (jobs.h): a new thread per
 * message cost more CPU than the rest of the message. The job holds no
 * locks and shares only the resolver, which is safe from any thread.
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "spf_task.h"

struct spf_task {
	struct dns_resolver *res;
	char		*ip, *helo, *sender, *domain, *receiver;
	time_t		 now;
	struct timespec	 deadline;
	bool		 has_deadline;
	struct job	 job;
	bool		 running;
	int		 rc;		/* of the thread's work */
	struct err	 err;
	struct spf_answer mailfrom, helo_answer;
	bool		 helo_checked;
	char		*upstream;	/* authserv-id the results came from */
};

/* The address inside MAIL FROM's angle brackets, without them. */
static char *
envelope_address(const char *mf)
{
	size_t len;

	if (mf == NULL)
		return strdup("");
	while (*mf == ' ')
		mf++;
	len = strlen(mf);
	if (len >= 2 && mf[0] == '<' && mf[len - 1] == '>')
		return strndup(mf + 1, len - 2);
	return strdup(mf);
}

static bool
ip_valid(const char *ip)
{
	unsigned char a[16];

	return inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1;
}

static void
spf_job(void *arg)
{
	struct spf_task *c = arg;
	struct spf_request r;
	char postmaster[300];

	if (!ip_valid(c->ip)) {
		/* a local submission or an MTA that hides the client: no SPF */
		c->mailfrom.result = SPF_NONE;
		strlcpy(c->mailfrom.reason, "client address unknown",
		    sizeof(c->mailfrom.reason));
		return;
	}
	memset(&r, 0, sizeof(r));
	r.ip = c->ip;
	r.helo = c->helo;
	r.receiver = c->receiver;
	r.now = c->now;
	r.deadline = c->has_deadline ? &c->deadline : NULL;
	r.sender = c->sender;
	r.domain = c->domain;
	c->rc = spf_eval_check_host(c->res, &r, &c->mailfrom, &c->err);
	/* RFC 7208 2.3: the HELO identity, checked as postmaster@helo */
	if (c->rc == 0 && c->helo != NULL && *c->helo != '\0') {
		snprintf(postmaster, sizeof(postmaster), "postmaster@%s", c->helo);
		r.sender = postmaster;
		r.domain = c->helo;
		c->rc = spf_eval_check_host(c->res, &r, &c->helo_answer,
		    &c->err);
		c->helo_checked = true;
	}
}

struct spf_task *
spf_task_start(struct dns_resolver *res, const char *ip, const char *helo,
    const char *mail_from, const char *receiver, time_t now,
    const struct timespec *deadline, struct err *e)
{
	struct spf_task *c;
	char *addr, *at;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(e, "out of memory");
		return NULL;
	}
	c->res = res;
	c->now = now;
	if (deadline != NULL) {
		c->deadline = *deadline;
		c->has_deadline = true;
	}
	c->ip = strdup(ip != NULL ? ip : "");
	c->helo = strdup(helo != NULL ? helo : "");
	c->receiver = strdup(receiver != NULL ? receiver : "unknown");
	addr = envelope_address(mail_from);
	if (c->ip == NULL || c->helo == NULL || c->receiver == NULL ||
	    addr == NULL)
		goto nomem;
	/*
	 * 2.4: an empty MAIL FROM is checked as postmaster@HELO; 4.3: a
	 * sender without a local part gets "postmaster".
	 */
	if (*addr == '\0' || (at = strrchr(addr, '@')) == NULL) {
		if (asprintf(&c->sender, "postmaster@%s", c->helo) == -1)
			c->sender = NULL;
		c->domain = strdup(c->helo);
	} else if (at == addr) {
		if (asprintf(&c->sender, "postmaster%s", addr) == -1)
			c->sender = NULL;
		c->domain = strdup(at + 1);
	} else {
		c->sender = strdup(addr);
		c->domain = strdup(at + 1);
	}
	free(addr);
	if (c->sender == NULL || c->domain == NULL)
		goto nomem;
	if (res == NULL) {
		err_set(e, "no DNS resolver");
		spf_task_free(c);
		return NULL;
	}
	if ((rc = jobs_run(&c->job, spf_job, c)) != 0) {
		err_set(e, "cannot start the SPF thread: %s", strerror(rc));
		spf_task_free(c);
		return NULL;
	}
	c->running = true;
	return c;
nomem:
	free(addr);
	err_set(e, "out of memory");
	spf_task_free(c);
	return NULL;
}

int
spf_task_finish(struct spf_task *c, struct err *e)
{
	if (c->running) {
		jobs_wait(&c->job);
		c->running = false;
	}
	if (c->rc == -1) {
		err_set(e, "SPF: %s", c->err.msg);
		return -1;
	}
	return 0;
}

const struct spf_answer *
spf_task_mailfrom(const struct spf_task *c)
{
	return &c->mailfrom;
}

const struct spf_answer *
spf_task_helo(const struct spf_task *c)
{
	return c->helo_checked ? &c->helo_answer : NULL;
}

/* An answer that some relay gave: the result, its name as the reason. */
static void
upstream_answer(struct spf_answer *a, enum spf_result r, const char *from)
{
	spf_answer_free(a);
	memset(a, 0, sizeof(*a));
	a->result = r;
	snprintf(a->reason, sizeof(a->reason), "from %s", from);
}

int
spf_task_use_upstream(struct spf_task *c, const char *from,
    enum spf_result mf, const char *mailfrom, const enum spf_result *helo,
    const char *helo_name, struct err *e)
{
	char *up = strdup(from), *sender = strdup(mailfrom), *domain, *hname;
	const char *at = strrchr(mailfrom, '@');

	domain = strdup(at != NULL ? at + 1 : mailfrom);
	hname = strdup(helo != NULL && helo_name != NULL ? helo_name : "");
	if (up == NULL || sender == NULL || domain == NULL || hname == NULL) {
		free(up);
		free(sender);
		free(domain);
		free(hname);
		return err_set(e, "out of memory");
	}
	free(c->upstream);
	free(c->sender);
	free(c->domain);
	free(c->helo);
	c->upstream = up;
	c->sender = sender;
	c->domain = domain;
	c->helo = hname;
	upstream_answer(&c->mailfrom, mf, from);
	c->helo_checked = helo != NULL;
	if (helo != NULL)
		upstream_answer(&c->helo_answer, *helo, from);
	return 0;
}

const char *
spf_task_upstream(const struct spf_task *c)
{
	return c->upstream;
}

const char *
spf_task_helo_name(const struct spf_task *c)
{
	return c->helo;
}

const char *
spf_task_sender(const struct spf_task *c)
{
	return c->sender;
}

const char *
spf_task_domain(const struct spf_task *c)
{
	return c->domain;
}

/* A Received-SPF key=value pair value: a dot-atom, or a quoted string. */
static void
kv(struct buf *out, const char *key, const char *v)
{
	const char *p;
	bool atom = *v != '\0';

	for (p = v; *p != '\0' && atom; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$%&'*+-/=?^_`{|}~.:",
		    *p) != NULL))
			atom = false;
	buf_printf(out, "\r\n\t%s=", key);
	if (atom)
		buf_adds(out, v);
	else
		buf_add_quoted(out, v);
	buf_addc(out, ';');
}

void
spf_task_received(const struct spf_task *c, struct buf *out)
{
	const struct spf_answer *a = &c->mailfrom;
	const char *p;

	/* 9.1: result, a comment, then key=value pairs */
	buf_printf(out, " %s (%s: ", spf_result_name(a->result), c->receiver);
	for (p = a->reason; *p != '\0'; p++)
		if (*p != '(' && *p != ')' && *p != '\\')
			buf_addc(out, *p);
	buf_addc(out, ')');
	kv(out, "client-ip", c->ip);
	kv(out, "envelope-from", c->sender);
	kv(out, "helo", c->helo);
	kv(out, "receiver", c->receiver);
	kv(out, "identity", "mailfrom");
	if (a->mechanism[0] != '\0')
		kv(out, "mechanism", a->mechanism);
}

void
spf_task_free(struct spf_task *c)
{
	if (c == NULL)
		return;
	if (c->running)
		jobs_wait(&c->job);
	spf_answer_free(&c->mailfrom);
	spf_answer_free(&c->helo_answer);
	free(c->ip);
	free(c->helo);
	free(c->sender);
	free(c->domain);
	free(c->receiver);
	free(c->upstream);
	free(c);
}
