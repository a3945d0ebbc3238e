/* SPDX-License-Identifier: ISC */
/*
 * sighup.h - SIGHUP reloads the configuration and keys.
 */
#ifndef INKAN_SIGHUP_H
#define INKAN_SIGHUP_H

/*
 * Block SIGHUP and start the thread that waits for it. Call before any
 * other thread exists (before smfi_main). path: the config file to reload
 * (NULL: built-in defaults). 0 or -1.
 */
int	 sighup_start(const char *path);

/*
 * At exit, after smfi_main returned: stop the reload thread and wait for
 * it (a reload in progress finishes first).
 */
void	 sighup_stop(void);

#endif
