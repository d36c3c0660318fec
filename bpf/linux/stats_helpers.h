/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lens-probe's statistics: STATS packets (delivered and lost records per
 * kind, and how many the kernel submitted, so that a reader can count what
 * never reached it when the probe dies: events.h, struct lens_stats) and
 * SYSAGG packets (the in-kernel syscall counts of --events syscount).
 */
#ifndef LENS_STATS_HELPERS_H
#define LENS_STATS_HELPERS_H

#include <stdbool.h>

/*
 * Queues a STATS packet from the kernel maps lens_drops and lens_submitted
 * (per-CPU, ncpus values each) and the output queue's counts. A periodic
 * one goes ahead of the queued records; the final one (after the ring
 * buffer was drained) behind them.
 */
void lens_stats_emit(int drops_fd, int submitted_fd, int ncpus, bool final);

/* Queues the in-kernel syscall aggregate (per-CPU map sysagg_fd), summed over CPUs, as one SYSAGG packet. */
void lens_sysagg_emit(int sysagg_fd, int ncpus);

#endif /* LENS_STATS_HELPERS_H */
