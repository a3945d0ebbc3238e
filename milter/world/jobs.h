/* SPDX-License-Identifier: ISC */
/*
 * jobs.h - a pool of threads for the work a transaction runs beside the
 * message: SPF's check_host() from MAIL FROM and DMARC's discovery from
 * end of headers, which mostly wait on DNS while the body streams.
 * Threads are kept and reused: a new thread per job cost more CPU than
 * the rest of an inbound message (tests/bench/README).
 * Owner: the caller owns each struct job and must end every job it ran
 * with jobs_wait before freeing it; the pool owns its threads, which
 * live until jobs_stop or until they idle a minute.
 */
#ifndef INKAN_JOBS_H
#define INKAN_JOBS_H

#include <pthread.h>
#include <stdbool.h>

struct job {
	void		(*fn)(void *);
	void		*arg;
	/* the pool's: done is guarded by its lock, cond signals it */
	bool		 done;
	pthread_cond_t	 cond;
	struct job	*next;
};

/* Run fn(arg) on a pool thread. 0, or an errno value (nothing runs). */
int	 jobs_run(struct job *, void (*fn)(void *), void *arg);
/* Wait until the job has run; then the struct may be freed. */
void	 jobs_wait(struct job *);
/*
 * End every pool thread once the queue is empty (at exit, after the last
 * transaction): jobs_run may be used again afterwards.
 */
void	 jobs_stop(void);

#endif
