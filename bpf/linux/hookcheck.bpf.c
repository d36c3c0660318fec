// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One empty program per hook type the modules use, and one map of each
 * special type, for `lens-probe --check-hooks` (runtime-lens doctor): what
 * this kernel lets the probe load and attach in the mode it runs in. Not a
 * tracing module: lens-probe never loads it for a trace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} lens_chk_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} lens_chk_task SEC(".maps");

/* A rarely hit tracepoint: the check holds one of its 64 program slots for a moment. */
SEC("tp/syscalls/sys_enter_getppid")
int lens_chk_tp(void *ctx)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int lens_chk_rawtp(void *ctx)
{
	return 0;
}

SEC("uprobe/libc.so.6:getaddrinfo")
int lens_chk_uprobe(void *ctx)
{
	void *rec = bpf_ringbuf_reserve(&lens_chk_ring, 8, 0);

	if (rec)
		bpf_ringbuf_discard(rec, 0);
	bpf_task_storage_get(&lens_chk_task, bpf_get_current_task_btf(), 0, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
