/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A probe run by a non-root user (file capabilities) acts for that user
 * only: it traces what ptrace would let them trace, launches the target
 * with their credentials and no capabilities, and keeps to their limits
 * (events.h LENS_USER_*).
 */
#ifndef LENS_CREDS_HELPERS_H
#define LENS_CREDS_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Who the probe acts for: its real uid and gid. */
struct lens_owner {
	bool confined;   /* real uid != 0 */
	uid_t uid;
	gid_t gid;
};

void lens_owner_init(struct lens_owner *o);

/*
 * Whether o may trace pid as ptrace would allow: real, effective, saved and
 * fs uid and gid all o's, dumpable, no capabilities. Always true for root.
 * Returns 0, or -errno with why filled (what stands in the way, and the fix).
 */
int lens_may_trace(const struct lens_owner *o, uint32_t pid, char *why, size_t len);

/* Drops every capability of the calling process (effective, permitted, inheritable, ambient). */
int lens_drop_caps(void);

/* Processes of uid that hold CAP_BPF effective (running probes), this one included. */
int lens_user_sessions(uid_t uid);

#endif /* LENS_CREDS_HELPERS_H */
