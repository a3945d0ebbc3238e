/* SPDX-License-Identifier: ISC */
/*
 * jobs.c - the thread pool of jobs.h. One queue under one lock; a job
 * goes to an idle thread, or to a new one while fewer than JOBS_MAX
 * threads exist (past that, jobs queue: each one is bounded by the DNS
 * budget of its message). Idle threads above JOBS_KEEP end after a
 * minute, so a burst does not leave its threads behind for good. A
 * thread that ends leaves its id for the next caller to join; jobs_stop
 * ends and joins them all, so a clean exit leaves no thread behind.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "jobs.h"

/*
 * Two jobs per inbound message in flight; 64 busy connections need 128.
 * Beyond this they wait their turn rather than make threads without end.
 */
#define JOBS_MAX	512
#define JOBS_KEEP	8	/* idle threads kept however long they idle */
#define JOBS_IDLE_SECS	60

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;		/* the queue */
static pthread_cond_t gone = PTHREAD_COND_INITIALIZER;	/* a thread ended */
static unsigned int nthreads, nidle, nqueued;
static bool stopping;
static pthread_t *ended;	/* threads that ended, to be joined */
static size_t nended, endedcap;

/* The calling thread ends: leave its id to be joined; lock held. */
static void *
leave(void)
{
	if (nended == endedcap) {
		size_t ncap = endedcap == 0 ? 8 : endedcap * 2;
		pthread_t *n = reallocarray(ended, ncap, sizeof(*n));

		if (n == NULL) {
			/* nobody can join it: let it clean up after itself */
			pthread_detach(pthread_self());
			goto out;
		}
		ended = n;
		endedcap = ncap;
	}
	ended[nended++] = pthread_self();
out:
	nthreads--;
	pthread_cond_broadcast(&gone);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Join the threads that ended (they no longer need the lock); lock held. */
static void
reap(void)
{
	while (nended > 0)
		pthread_join(ended[--nended], NULL);
}

static void *
jobs_thread(void *arg)
{
	struct timespec until;
	struct job *j;

	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (head == NULL) {
			if (stopping)
				return leave();
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += JOBS_IDLE_SECS;
			nidle++;
			if (pthread_cond_timedwait(&work, &lock, &until) ==
			    ETIMEDOUT && head == NULL && nidle > JOBS_KEEP) {
				nidle--;
				return leave();
			}
			nidle--;
		}
		j = head;
		if ((head = j->next) == NULL)
			tail = NULL;
		nqueued--;
		pthread_mutex_unlock(&lock);
		j->fn(j->arg);
		pthread_mutex_lock(&lock);
		j->done = true;
		pthread_cond_signal(&j->cond);
	}
}

/* A new pool thread, with every signal blocked (they are the daemon's). */
static int
spawn(void)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int rc;

	if ((rc = pthread_attr_init(&attr)) != 0)
		return rc;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, jobs_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc;
}

int
jobs_run(struct job *j, void (*fn)(void *), void *arg)
{
	int rc;

	j->fn = fn;
	j->arg = arg;
	j->done = false;
	j->next = NULL;
	if ((rc = pthread_cond_init(&j->cond, NULL)) != 0)
		return rc;
	pthread_mutex_lock(&lock);
	reap();
	/* an idle thread for each queued job, or a new one */
	if (nqueued + 1 > nidle && nthreads < JOBS_MAX) {
		if ((rc = spawn()) != 0 && nthreads == 0) {
			/* nobody would ever run it */
			pthread_mutex_unlock(&lock);
			pthread_cond_destroy(&j->cond);
			return rc;
		}
		if (rc == 0)
			nthreads++;
	}
	nqueued++;
	if (tail != NULL)
		tail->next = j;
	else
		head = j;
	tail = j;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&lock);
	return 0;
}

void
jobs_wait(struct job *j)
{
	pthread_mutex_lock(&lock);
	while (!j->done)
		pthread_cond_wait(&j->cond, &lock);
	pthread_mutex_unlock(&lock);
	pthread_cond_destroy(&j->cond);
}

void
jobs_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&work);
	while (nthreads > 0)
		pthread_cond_wait(&gone, &lock);
	reap();
	free(ended);
	ended = NULL;
	endedcap = 0;
	stopping = false;
	pthread_mutex_unlock(&lock);
}
