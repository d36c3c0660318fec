/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `lens-probe --check-hooks`: loads hookcheck.bpf.c and attaches each of its
 * programs, then detaches, so `runtime-lens doctor` reports what works in
 * the mode the probe runs in (root, or file capabilities) instead of guessing.
 */
#ifndef LENS_HOOKCHECK_HELPERS_H
#define LENS_HOOKCHECK_HELPERS_H

#include <stdbool.h>

/*
 * Writes one line per hook type to fd, tab-separated:
 *   hook <name> ok|<errno name> <what failed and why, when it failed>
 * names: load (ring buffer and task storage maps, program load), tracepoint,
 * raw_tracepoint, uprobe. Returns 0 when every hook works, else 1.
 */
int lens_check_hooks(int fd, bool root);

#endif /* LENS_HOOKCHECK_HELPERS_H */
