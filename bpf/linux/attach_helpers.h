/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Why the kernel refused to load or attach a program, in words a user can
 * act on: the 64-programs-per-tracepoint limit, hooks a capability-only
 * (non-root) probe cannot create.
 */
#ifndef LENS_ATTACH_HELPERS_H
#define LENS_ATTACH_HELPERS_H

#include <stdbool.h>

/*
 * The cause and fix of err (> 0) from attaching a program of ELF section
 * sec, or "" when there is nothing to add to strerror(err).
 */
const char *lens_attach_hint(const char *sec, int err, bool root);

#endif /* LENS_ATTACH_HELPERS_H */
