/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One lens-probe run: what it holds (opts, loaded modules, traced tree,
 * ring buffer, target, fds) and its loop, which polls the ring buffer,
 * signals, the target's pidfd and stdin's commands until the target exits
 * or the probe is told to stop, then drains and sends the final packets.
 */
#ifndef LENS_RUN_HELPERS_H
#define LENS_RUN_HELPERS_H

#include <stdbool.h>
#include <sys/types.h>
#include "args_helpers.h"
#include "commands_helpers.h"
#include "creds_helpers.h"
#include "modules_helpers.h"
#include "target_helpers.h"

struct ring_buffer;

/* Everything the run holds; released by lens_run_close() alone. */
struct lens_run {
	struct lens_opts o;
	struct lens_owner owner;  /* who the probe acts for (non-root: confined) */
	struct lens_bpf bpf;
	struct lens_tree tree;
	struct ring_buffer *rb;
	struct lens_cmd_reader cmds;
	int target_fds[3];      /* fds 3, 4, 5 as passed, moved out of libbpf's way */
	int sig_fd, wake_fd, pid_fd, devnull_fd;
	int ncpus;
	pid_t target;           /* launched child or attached pid */
	bool launched;
	bool target_exited;
	int exit_code;          /* of the target */
	int exit_signal;
	bool exit_seen;         /* exit record of the attached pid seen */
	int probe_status;       /* lens-probe's own exit status */
	bool stop;
};

/* A run that holds nothing yet. */
void lens_run_init(struct lens_run *r);

/* Maps the traced tree and opens the ring buffer of the loaded modules; then the HELLO packet. */
int lens_run_open(struct lens_run *r);

/* Polls until the target exits or the probe is told to stop; drains and sends the final packets. */
void lens_run_loop(struct lens_run *r);

/*
 * Ends the packet stream, then detaches and frees everything. The stream
 * ends first: each detach waits for an RCU grace period (seconds for all
 * links on a busy machine), and the reader has everything once stdout is
 * closed.
 */
void lens_run_close(struct lens_run *r);

#endif /* LENS_RUN_HELPERS_H */
