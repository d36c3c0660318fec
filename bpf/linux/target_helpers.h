/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The traced tree from user space (add/remove a tgid in lens_tracked and
 * lens_pidbits, seed it from /proc) and the launched target: forked and
 * held on a pipe until it is tracked, so its first exec is seen.
 */
#ifndef LENS_TARGET_HELPERS_H
#define LENS_TARGET_HELPERS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "creds_helpers.h"

/* The shared tracking maps, as lens-probe holds them. */
struct lens_tree {
	int tracked_fd;        /* lens_tracked */
	uint64_t *bits;        /* lens_pidbits, mmapped */
	pid_t self;            /* never tracked: lens-probe and its ancestors */
	uint32_t *held;        /* syscall module's lens_held_tgid, NULL when it is not loaded */
	const struct lens_owner *confine;  /* NULL: any; else descendants it may not trace are skipped */
};

/* Adds pid to the traced tree. Returns 0 or -errno. */
int lens_tree_add(struct lens_tree *t, uint32_t pid, uint32_t parent);

/*
 * Adds the launched, not yet exec'd child: its syscalls before its exec
 * (lens-probe's own start-up code) are not traced. Returns 0 or -errno.
 */
int lens_tree_add_held(struct lens_tree *t, uint32_t pid);

/* Removes pid from the traced tree. */
void lens_tree_remove(struct lens_tree *t, uint32_t pid);

/*
 * Adds every current descendant of root (from /proc), each before its own
 * children are looked up, so a fork racing the scan is caught by the kernel.
 * lens-probe and its ancestors are skipped, and so is every process t->confine
 * may not trace, with its subtree. Returns how many were added.
 */
int lens_tree_add_descendants(struct lens_tree *t, uint32_t root);

/* Whether /proc/pid exists. */
int lens_pid_exists(uint32_t pid);

/* A forked target, blocked before exec until released. */
struct lens_spawn {
	pid_t pid;
	int hold_fd;   /* write end: one byte releases the child */
	int err_fd;    /* read end: errno of a failed exec, EOF on success */
};

/*
 * Forks a child that waits on a pipe, then executes file (an absolute path)
 * or, when file is NULL, argv[0] looked up in PATH; argv as given either way.
 * stdin/stdout/stderr come from fds[0..2]; child_mask is the signal mask the
 * target starts with. The child drops every capability before it looks up
 * and executes the file: the target runs with the user's rights only.
 */
int lens_spawn_held(const char *file, char *const argv[], const int fds[3],
		    const sigset_t *child_mask, struct lens_spawn *s);

/* Releases the child; returns 0 once it has exec'd, or the exec errno (> 0). */
int lens_spawn_release(struct lens_spawn *s);

#endif /* LENS_TARGET_HELPERS_H */
