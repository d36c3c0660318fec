/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps shared by the Windows programs, pinned by name so that process.o and
 * net.o (loaded apart by netsh) share them and lens-probe.exe opens them:
 * lens_events (records, ring buffer), lens_tracked (the traced process
 * tree; lens-probe.exe writes the roots it is told to `add`) and lens_drops
 * (records lost to a full ring buffer, per kind).
 */
#ifndef LENS_MAPS_H
#define LENS_MAPS_H

#include "lens_win.h"

#define LENS_WIN_RINGBUF_BYTES (8u << 20)
#define LENS_WIN_TRACKED_MAX 16384
#define LENS_WIN_SCRATCH_BYTES 4096  /* the largest record a Windows program builds */

struct {
	__uint(type, LENS_WIN_MAP_RINGBUF);
	__uint(max_entries, LENS_WIN_RINGBUF_BYTES);
	__uint(pinning, LENS_WIN_PIN_BY_NAME);
} lens_events SEC(".maps");

struct {
	__uint(type, LENS_WIN_MAP_HASH);
	__type(key, __u32);
	__type(value, struct lens_tracked_val);
	__uint(max_entries, LENS_WIN_TRACKED_MAX);
	__uint(pinning, LENS_WIN_PIN_BY_NAME);
} lens_tracked SEC(".maps");

struct {
	__uint(type, LENS_WIN_MAP_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, LENS_KIND_MAX);
	__uint(pinning, LENS_WIN_PIN_BY_NAME);
} lens_drops SEC(".maps");

/* per-CPU room to build a record bigger than the 512-byte stack */
struct lens_win_scratch { __u8 buf[LENS_WIN_SCRATCH_BYTES]; };
struct {
	__uint(type, LENS_WIN_MAP_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct lens_win_scratch);
	__uint(max_entries, 1);
} lens_scratch SEC(".maps");

LENS_INLINE struct lens_tracked_val *lens_traced(__u32 pid)
{
	return bpf_map_lookup_elem(&lens_tracked, &pid);
}

/* one record to the ring buffer, or one more drop of its kind */
LENS_INLINE void lens_emit(void *record, __u32 size, __u32 kind)
{
	if (bpf_ringbuf_output(&lens_events, record, size, 0) == 0)
		return;
	__u64 *n = bpf_map_lookup_elem(&lens_drops, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
}

LENS_INLINE void lens_fill_hdr(struct lens_hdr *h, __u16 kind, __u16 size, __u32 pid, __u32 tid, __u32 ppid, __u64 start_ns)
{
	h->ts_ns = bpf_ktime_get_ns();
	h->start_ns = start_ns;
	h->pid = pid;
	h->tid = tid;
	h->ppid = ppid;
	h->uid = 0;  /* Windows has SIDs, not uids */
	h->kind = kind;
	h->flags = 0;
	h->size = size;
	h->stack_size = 0;
}

#endif /* LENS_MAPS_H */
