// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "launch_helpers.h"
#include "output_helpers.h"
#include "python_helpers.h"
#include "report_helpers.h"
#include "run_helpers.h"
#include "stats_helpers.h"

#define LENS_POLL_MS 10

void lens_run_init(struct lens_run *r)
{
	*r = (struct lens_run){
		.target_fds = { -1, -1, -1 },
		.sig_fd = -1, .wake_fd = -1, .pid_fd = -1, .devnull_fd = -1,
		.bpf = { .events_fd = -1, .tracked_fd = -1, .pidbits_fd = -1, .drops_fd = -1,
			 .submitted_fd = -1, .sysagg_fd = -1, .py_procs_fd = -1, .py_any_fd = -1 },
		.tree = { .tracked_fd = -1 },
	};
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct lens_run *r = ctx;
	const struct lens_hdr *h = data;
	size_t len = size;

	if (size < sizeof(*h))
		return 0;
	if (h->size >= sizeof(*h) && h->size < size)
		len = h->size;
	if (h->kind == LENS_EXIT && !r->launched && h->pid == (uint32_t)r->target &&
	    size >= sizeof(struct lens_exit_event)) {
		const struct lens_exit_event *e = data;

		r->exit_seen = true;
		r->exit_code = e->exit_code;
		r->exit_signal = e->signal;
	}
	lens_out_record(data, len);
	return 0;
}

static void emit_hello(const struct lens_run *r)
{
	struct lens_hello h = { .abi_version = LENS_ABI_VERSION };
	struct timespec rt, mono;
	struct utsname u;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	h.kinds_mask = r->bpf.kinds;
	h.realtime_offset_ns = (int64_t)(rt.tv_sec - mono.tv_sec) * 1000000000ll +
			       (rt.tv_nsec - mono.tv_nsec);
	h.ringbuf_bytes = r->o.ringbuf_bytes;
	if (uname(&u) == 0)
		memcpy(h.machine, u.machine, strnlen(u.machine, sizeof(h.machine) - 1));
	lens_out_packet(LENS_PACKET_HELLO, &h, sizeof(h));
}

int lens_run_open(struct lens_run *r)
{
	void *bits;

	r->tree.tracked_fd = r->bpf.tracked_fd;
	r->tree.held = r->bpf.held_tgid;
	bits = mmap(NULL, LENS_PIDBITS_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		    MAP_SHARED, r->bpf.pidbits_fd, 0);
	if (bits == MAP_FAILED) {
		lens_report(LENS_ERR_INTERNAL, errno, "cannot map lens_pidbits: %s", strerror(errno));
		return -1;
	}
	r->tree.bits = bits;
	r->rb = ring_buffer__new(r->bpf.events_fd, on_record, r, NULL);
	if (!r->rb) {
		lens_report(LENS_ERR_INTERNAL, errno, "cannot open the ring buffer: %s",
			    strerror(errno));
		return -1;
	}
	emit_hello(r);
	return 0;
}

static void emit_stats(const struct lens_run *r, bool final)
{
	lens_stats_emit(r->bpf.drops_fd, r->bpf.submitted_fd, r->ncpus, final);
}

/* ADD: a running process the owner may trace, and its descendants. */
static void add_pid(struct lens_run *r, unsigned long long pid)
{
	char why[200];

	if (pid == 0 || pid >= LENS_PID_LIMIT || !lens_pid_exists(pid)) {
		lens_report(LENS_ERR_NO_SUCH_PID, ESRCH, LENS_CMD_ADD ": no process with pid %llu",
			    pid);
		return;
	}
	if (lens_may_trace(&r->owner, pid, why, sizeof(why))) {
		lens_report(LENS_ERR_FORBIDDEN, EPERM, LENS_CMD_ADD ": %s", why);
		return;
	}
	if (lens_tree_add(&r->tree, pid, 0) == 0) {
		struct lens_target t = { .state = LENS_TARGET_ADDED, .pid = pid };

		lens_tree_add_descendants(&r->tree, pid);
		lens_out_packet(LENS_PACKET_TARGET, &t, sizeof(t));
	} else {
		lens_report(LENS_ERR_INTERNAL, errno, LENS_CMD_ADD ": cannot track pid %llu", pid);
	}
}

static void run_command(const struct lens_command *cmd, void *ctx)
{
	struct lens_run *r = ctx;

	switch (cmd->op) {
	case LENS_OP_ADD:
		add_pid(r, cmd->pid);
		break;
	case LENS_OP_REMOVE:
		lens_tree_remove(&r->tree, cmd->pid);
		break;
	case LENS_OP_STATS:
		emit_stats(r, false);
		lens_sysagg_emit(r->bpf.sysagg_fd, r->ncpus);
		break;
	case LENS_OP_STOP:
		r->stop = true;
		break;
	case LENS_OP_PYTHON:
		lens_python_register(r->o.python ? r->bpf.py_procs_fd : -1, r->bpf.py_any_fd, &r->owner, cmd);
		break;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void lens_run_loop(struct lens_run *r)
{
	struct pollfd pfd[5];
	uint64_t next_stats = now_ms() + r->o.stats_ms;
	bool stdin_open = fcntl(STDIN_FILENO, F_GETFD) >= 0;
	int n;

	while (!r->stop) {
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = ring_buffer__epoll_fd(r->rb), .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = r->sig_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = r->wake_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = r->pid_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN };
		poll(pfd, n, LENS_POLL_MS);

		ring_buffer__consume(r->rb);
		lens_out_flush_records();
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(r->sig_fd, &si, sizeof(si)) == sizeof(si))
				fprintf(stderr, "lens-probe: %s, stopping\n", strsignal(si.ssi_signo));
			r->stop = true;
		}
		if (pfd[2].revents || lens_out_broken())
			r->stop = true;
		if (pfd[3].revents) {
			lens_target_ended(r);
			r->stop = true;
		}
		if (pfd[4].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (lens_commands_read(&r->cmds, STDIN_FILENO, run_command, r))
				r->stop = true;  /* EOF on stdin */
		} else if (pfd[4].revents & POLLNVAL) {
			stdin_open = false;
		}
		if (r->o.stats_ms && now_ms() >= next_stats) {
			emit_stats(r, false);
			next_stats = now_ms() + r->o.stats_ms;
		}
	}
	/* Drain: the target's last records are already in the ring. */
	while (ring_buffer__consume(r->rb) > 0)
		;
	lens_out_flush_records();
	emit_stats(r, true);
	if (r->o.groups & G_SYSCOUNT)
		lens_sysagg_emit(r->bpf.sysagg_fd, r->ncpus);
	if (r->target_exited)
		lens_target_emit(r, LENS_TARGET_EXITED);
}

void lens_run_close(struct lens_run *r)
{
	int i;

	lens_out_finish();
	close(STDOUT_FILENO);
	ring_buffer__free(r->rb);
	r->rb = NULL;
	lens_bpf_unload(&r->bpf);
	if (r->tree.bits)
		munmap(r->tree.bits, LENS_PIDBITS_WORDS * sizeof(uint64_t));
	r->tree.bits = NULL;
	if (r->pid_fd >= 0)
		close(r->pid_fd);
	if (r->devnull_fd >= 0)
		close(r->devnull_fd);
	for (i = 0; i < 3; i++)
		if (r->target_fds[i] >= 0)
			close(r->target_fds[i]);
}
