/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Catching SIGBUS in a test: touch_faults()/store_faults() access one byte and say
 * whether that raised SIGBUS; bus_code, bus_addr and bus_lsb hold the last one's
 * siginfo. For single-threaded test programs (one jump buffer per process).
 */
#ifndef FAMFS_SIGBUS_H
#define FAMFS_SIGBUS_H

#include <setjmp.h>
#include <signal.h>

/* The last SIGBUS this process caught. */
static sigjmp_buf jb;
static volatile int bus_code, bus_lsb;
static void *volatile bus_addr;

static inline void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	bus_lsb = si->si_addr_lsb;
	siglongjmp(jb, 1);
}

static inline void catch_sigbus(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* Reads one byte at @p; 1 if that was SIGBUS (bus_* say which), 0 if it read. */
static inline int touch_faults(volatile unsigned char *p, unsigned char *val)
{
	bus_code = 0;
	bus_addr = NULL;
	if (sigsetjmp(jb, 1))
		return 1;
	*val = *p;
	return 0;
}

/* Writes one byte at @p; 1 if that was SIGBUS. */
static inline int store_faults(volatile unsigned char *p, unsigned char val)
{
	bus_code = 0;
	if (sigsetjmp(jb, 1))
		return 1;
	*p = val;
	return 0;
}

#endif
