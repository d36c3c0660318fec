// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "events.h"
#include "python_helpers.h"
#include "report_helpers.h"
#include "target_helpers.h"

/* Offsets into CPython's structs the walk follows: any field of theirs is below this. */
#define PY_OFFSET_MAX 65536
/* User-space addresses end here on x86_64 and arm64 (47- and 48-bit). */
#define PY_USER_END (1ull << 48)

/* An offset, or LENS_PY_NONE where `none_ok`; -1 when out of range. */
static int offset(unsigned long long v, int none_ok, __u16 *out)
{
	if (v == LENS_PY_NONE ? !none_ok : v >= PY_OFFSET_MAX - 1)
		return -1;
	*out = v;
	return 0;
}

void lens_python_register(int procs_fd, int any_fd, const struct lens_owner *owner, const struct lens_command *cmd)
{
	__u32 zero = 0, one = 1;
	const unsigned long long *v = cmd->py;
	struct lens_py_proc p = {};
	__u32 pid = cmd->pid;
	char why[200];

	if (cmd->pid == 0 || cmd->pid >= LENS_PID_LIMIT || !lens_pid_exists(pid)) {
		lens_report(LENS_ERR_NO_SUCH_PID, ESRCH, LENS_CMD_PYTHON ": no process with pid %llu",
			    cmd->pid);
		return;
	}
	if (lens_may_trace(owner, pid, why, sizeof(why))) {
		lens_report(LENS_ERR_FORBIDDEN, EPERM, LENS_CMD_PYTHON ": %s", why);
		return;
	}
	if (v[0] == 0 || v[0] > UINT32_MAX || v[1] == 0 || v[1] >= PY_USER_END ||
	    offset(v[2], 0, &p.interp_next) || offset(v[3], 0, &p.interp_threads) ||
	    offset(v[4], 0, &p.thread_next) || offset(v[5], 0, &p.thread_tid) ||
	    offset(v[6], 0, &p.thread_frame) || offset(v[7], 1, &p.cframe_frame) ||
	    offset(v[8], 0, &p.frame_code) || offset(v[9], 0, &p.frame_previous) ||
	    offset(v[10], 0, &p.frame_instr) || offset(v[11], 0, &p.frame_owner) ||
	    offset(v[12], 1, &p.owner_cstack) || (p.owner_cstack != LENS_PY_NONE && p.owner_cstack > 255) ||
	    p.frame_code > LENS_PY_FRAME_SPAN - 8 || p.frame_previous > LENS_PY_FRAME_SPAN - 8 ||
	    p.frame_instr > LENS_PY_FRAME_SPAN - 8 || p.frame_owner > LENS_PY_FRAME_SPAN - 1) {
		lens_report(LENS_ERR_USAGE, EINVAL, LENS_CMD_PYTHON " %u: expected a cookie from 1 to "
			    "4294967295, a user-space address in hex and 11 struct offsets below %d "
			    "(%d where a step does not exist), the frame's within its first %d bytes",
			    pid, PY_OFFSET_MAX - 1, LENS_PY_NONE, LENS_PY_FRAME_SPAN);
		return;
	}
	p.cookie = v[0];
	p.head = v[1];
	if (procs_fd < 0 || bpf_map_update_elem(procs_fd, &pid, &p, BPF_ANY) ||
	    bpf_map_update_elem(any_fd, &zero, &one, BPF_ANY))
		lens_report(LENS_ERR_INTERNAL, errno, LENS_CMD_PYTHON " %u: cannot register it: %s%s",
			    pid, strerror(errno), procs_fd < 0 ? " (the probe was not started with "
			    "--python-stacks)" : "");
}
