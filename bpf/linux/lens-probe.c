// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lens-probe: loads the Runtime Lens eBPF modules, launches a command (or
 * attaches to a pid) and writes records in packets (events.h) to stdout until
 * the target exits or it is told to stop.
 *
 *   lens-probe [--events exec,file,net,dns,syscall,syscount] [--syscalls NR,...]
 *              [--ringbuf-bytes N] [--stats-ms N]
 *              (--pid PID | [--exec-path FILE] -- COMMAND [ARGS...])
 *
 * --check-hooks: load and attach one empty program per hook type, print
 * one text line per type on stdout (hookcheck_helpers.h) and exit: what
 * this kernel allows in the mode the probe runs in (runtime-lens doctor).
 *
 * --exec-path: the file to execute, already resolved in PATH by the caller
 * (COMMAND stays argv[0]), so the trace starts with one exec of the target
 * instead of a failed exec per PATH entry before it.
 *
 * stdin takes control commands, one per line (events.h, LENS_CMD_*): add
 * PID, remove PID, stats, stop (EOF = stop). stdout carries packets only;
 * one human line per error goes to stderr. Launched targets get fds 3, 4, 5
 * as stdin, stdout, stderr when those are open, else /dev/null and
 * lens-probe's stderr.
 *
 * The steps, each in its own file: arguments (args_helpers.c), checks of
 * the system (checks_helpers.c) and of a non-root owner (launch_helpers.c),
 * the module table and its loader (modules_helpers.c, loader_helpers.c:
 * open -> set rodata -> load -> attach), the target (launch_helpers.c), the
 * run loop and its stdin commands (run_helpers.c, commands_helpers.c),
 * statistics (stats_helpers.c) and output (output_helpers.c). Every path
 * ends in lens_run_close().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "args_helpers.h"
#include "checks_helpers.h"
#include "hookcheck_helpers.h"
#include "launch_helpers.h"
#include "output_helpers.h"
#include "report_helpers.h"
#include "run_helpers.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Moves the fds the agent passes (3, 4, 5) out of the way of libbpf's fds. */
static void save_target_fds(struct lens_run *r)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (fcntl(3 + i, F_GETFD) < 0)
			continue;
		r->target_fds[i] = fcntl(3 + i, F_DUPFD_CLOEXEC, 100);
		close(3 + i);
	}
}

/* Everything before tracing starts; returns lens-probe's exit status, or -1 to run. */
static int prepare(struct lens_run *r, int argc, char **argv)
{
	char msg[248];
	int code, err;

	if (lens_parse_args(argc, argv, &r->o))
		return 2;
	lens_out_set_max_queue(r->o.max_queue);
	r->launched = r->o.cmd != NULL;
	code = lens_check_system(msg, sizeof(msg), &err);
	if (code) {
		lens_report(code, err, "%s", msg);
		return 1;
	}
	if (!r->launched && !r->o.check_hooks && !lens_pid_exists(r->o.pid)) {
		lens_report(LENS_ERR_NO_SUCH_PID, ESRCH, "no process with pid %d", r->o.pid);
		return 1;
	}
	if (lens_check_owner(r))
		return 1;
	if (r->o.check_hooks)
		return lens_check_hooks(STDOUT_FILENO, !r->owner.confined);
	if (lens_bpf_load(&r->bpf, &r->o, &r->owner) || lens_run_open(r) ||
	    lens_target_start(r))
		return 1;
	return -1;
}

int main(int argc, char **argv)
{
	struct lens_run r;
	sigset_t mask;
	int status;

	lens_run_init(&r);
	save_target_fds(&r);
	/* Signals arrive on a signalfd; the writer thread inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGPIPE);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	r.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r.tree.self = getpid();
	lens_owner_init(&r.owner);
	r.ncpus = libbpf_num_possible_cpus();
	if (r.sig_fd < 0 || r.wake_fd < 0 || r.ncpus <= 0 ||
	    lens_out_start(STDOUT_FILENO, LENS_DEFAULT_QUEUE, r.wake_fd)) {
		fprintf(stderr, "lens-probe: cannot set up signals, output or CPU count: %s\n",
			strerror(errno));
		return 1;
	}
	libbpf_set_print(libbpf_print);

	status = prepare(&r, argc, argv);
	if (status < 0) {
		lens_run_loop(&r);
		status = r.probe_status;
	}
	lens_run_close(&r);
	return status;
}
