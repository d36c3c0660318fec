/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What lens-probe needs from the kernel and the user, checked before
 * anything is loaded, each failure with the exact fix in its message.
 */
#ifndef LENS_CHECKS_HELPERS_H
#define LENS_CHECKS_HELPERS_H

#include <stddef.h>

#define LENS_TRACEFS "/sys/kernel/tracing"

/*
 * Runs the checks in order (privilege, BTF, tracefs; tracefs is mounted
 * when missing and possible). Returns 0, or an enum lens_error_code with
 * msg filled and *err set to the errno of the failing step.
 */
int lens_check_system(char *msg, size_t len, int *err);

/* Whether the tracepoint category/name exists (tracefs events/). */
int lens_tracepoint_exists(const char *category, const char *name);

#endif /* LENS_CHECKS_HELPERS_H */
