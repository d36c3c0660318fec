/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The target of a run: the command launched (held until it is tracked, so
 * its first exec is seen) or the --pid attached to, what a non-root owner
 * may name, and the target's end.
 */
#ifndef LENS_LAUNCH_HELPERS_H
#define LENS_LAUNCH_HELPERS_H

#include <stdint.h>
#include "run_helpers.h"

/*
 * A non-root owner's limits: the --pid it names must be theirs to ptrace,
 * its ring buffer and number of sessions are bounded. Returns 0, or -1 (reported).
 */
int lens_check_owner(struct lens_run *r);

/* Launches the command or attaches to --pid, then the TARGET packet. Returns 0, or -1 (reported). */
int lens_target_start(struct lens_run *r);

/* Records how the target ended (its pidfd became readable). */
void lens_target_ended(struct lens_run *r);

/* Queues a TARGET packet (enum lens_target_state). */
void lens_target_emit(const struct lens_run *r, uint32_t state);

#endif /* LENS_LAUNCH_HELPERS_H */
