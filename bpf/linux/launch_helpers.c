// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "events.h"
#include "launch_helpers.h"
#include "output_helpers.h"
#include "report_helpers.h"

/* The --pid a non-root owner names must be theirs to ptrace. */
static int check_owner_pid(const struct lens_run *r)
{
	char why[200];

	if (r->o.pid && lens_may_trace(&r->owner, r->o.pid, why, sizeof(why))) {
		lens_report(LENS_ERR_FORBIDDEN, EPERM, "%s", why);
		return -1;
	}
	return 0;
}

int lens_check_owner(struct lens_run *r)
{
	int n;

	if (!r->owner.confined)
		return 0;
	r->tree.confine = &r->owner;
	if (r->o.ringbuf_bytes > LENS_USER_RINGBUF_MAX) {
		lens_report(LENS_ERR_USAGE, EINVAL, "--ringbuf-bytes %llu is over the %u MiB a "
			    "non-root user may pin in the kernel: give at most %u, or run as root",
			    (unsigned long long)r->o.ringbuf_bytes, LENS_USER_RINGBUF_MAX >> 20,
			    LENS_USER_RINGBUF_MAX);
		return -1;
	}
	n = lens_user_sessions(r->owner.uid);
	if (n > LENS_USER_SESSIONS_MAX) {
		lens_report(LENS_ERR_FORBIDDEN, EUSERS, "uid %u already runs %d lens-probe sessions "
			    "(one that ends counts until its programs are detached), the most a "
			    "non-root user may run at once: stop one, or run as root",
			    (unsigned)r->owner.uid, n - 1);
		return -1;
	}
	return check_owner_pid(r);
}

void lens_target_emit(const struct lens_run *r, uint32_t state)
{
	struct lens_target t = { .state = state, .pid = r->target };

	if (state == LENS_TARGET_EXITED) {
		t.exit_code = r->exit_code;
		t.signal = r->exit_signal;
	}
	lens_out_packet(LENS_PACKET_TARGET, &t, sizeof(t));
}

static int attach_target(struct lens_run *r)
{
	int err;

	if (!lens_pid_exists(r->o.pid)) {
		lens_report(LENS_ERR_NO_SUCH_PID, ESRCH, "no process with pid %d", r->o.pid);
		return -1;
	}
	r->target = r->o.pid;
	r->pid_fd = syscall(SYS_pidfd_open, r->target, 0);
	if (r->pid_fd < 0) {
		lens_report(errno == ESRCH ? LENS_ERR_NO_SUCH_PID : LENS_ERR_INTERNAL, errno,
			    "cannot watch pid %d (pidfd_open): %s", r->target, strerror(errno));
		return -1;
	}
	/* again, now that the pidfd pins the process: the pid may have been reused since */
	if (check_owner_pid(r))
		return -1;
	err = lens_tree_add(&r->tree, r->target, 0);
	if (err) {
		lens_report(LENS_ERR_INTERNAL, -err, "cannot track pid %d: %s", r->target,
			    strerror(-err));
		return -1;
	}
	lens_tree_add_descendants(&r->tree, r->target);
	lens_target_emit(r, LENS_TARGET_ATTACHED);
	return 0;
}

static int launch_target(struct lens_run *r)
{
	struct lens_spawn sp;
	sigset_t child_mask;
	int fds[3], err;

	r->devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[0] = r->target_fds[0] >= 0 ? r->target_fds[0] : r->devnull_fd;
	fds[1] = r->target_fds[1] >= 0 ? r->target_fds[1] : STDERR_FILENO;
	fds[2] = r->target_fds[2] >= 0 ? r->target_fds[2] : STDERR_FILENO;
	sigemptyset(&child_mask);
	err = lens_spawn_held(r->o.exec_path, r->o.cmd, fds, &child_mask, &sp);
	if (err) {
		lens_report(LENS_ERR_EXEC, -err, "cannot start '%s': fork failed: %s", r->o.cmd[0],
			    strerror(-err));
		return -1;
	}
	r->target = sp.pid;
	r->pid_fd = syscall(SYS_pidfd_open, sp.pid, 0);
	err = lens_tree_add_held(&r->tree, sp.pid);
	if (err || r->pid_fd < 0) {
		lens_report(LENS_ERR_INTERNAL, err ? -err : errno, "cannot track the launched "
			    "command (pid %d): %s", sp.pid, strerror(err ? -err : errno));
		close(sp.hold_fd);  /* the child exits without running the command */
		close(sp.err_fd);
		waitpid(sp.pid, NULL, 0);
		return -1;
	}
	lens_target_emit(r, LENS_TARGET_STARTED);
	err = lens_spawn_release(&sp);
	if (err) {
		const char *path = getenv("PATH");

		if (r->o.exec_path)
			lens_report(LENS_ERR_EXEC, err, "cannot run '%s' (%s): %s", r->o.cmd[0],
				    r->o.exec_path, strerror(err));
		else
			lens_report(LENS_ERR_EXEC, err, "cannot run '%s': %s (PATH=%s)", r->o.cmd[0],
				    strerror(err), path ? path : "(unset)");
		r->probe_status = 127;
	}
	return 0;
}

int lens_target_start(struct lens_run *r)
{
	return r->launched ? launch_target(r) : attach_target(r);
}

void lens_target_ended(struct lens_run *r)
{
	int status;

	r->target_exited = true;
	if (r->launched) {
		if (waitpid(r->target, &status, 0) == r->target) {
			r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
			r->exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		}
	} else if (!r->exit_seen) {
		r->exit_code = -1;  /* its exit record was lost: status unknown */
	}
}
