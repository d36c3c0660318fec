// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "attach_helpers.h"

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *lens_attach_hint(const char *sec, int err, bool root)
{
	bool tracepoint = starts_with(sec, "tp/") || starts_with(sec, "tracepoint/");

	/* kernel/trace/bpf_trace.c: BPF_TRACE_MAX_PROGS programs per perf tracepoint. */
	if (err == E2BIG && tracepoint)
		return " (E2BIG: all 64 BPF programs the kernel allows per tracepoint, machine-wide, "
		       "are in use: end other tracing sessions)";
	/* kernel/events/core.c, perf_uprobe_event_init: CAP_SYS_ADMIN only. */
	if ((err == EACCES || err == EPERM) && starts_with(sec, "uprobe") && !root)
		return " (the kernel creates uprobes only for CAP_SYS_ADMIN: run as root for them)";
	return "";
}
