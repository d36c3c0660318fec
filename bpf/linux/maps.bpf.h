/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Maps shared by every module. Each module's object declares them (by
 * including this header); lens-probe creates them once with the process
 * module and hands the same fds to every other module (bpf_map__reuse_fd)
 * before load, so all programs write to one ring buffer and test one
 * tracked set.
 */
#ifndef LENS_MAPS_BPF_H
#define LENS_MAPS_BPF_H

/* Records to user space. max_entries (bytes) is set by lens-probe. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} lens_events SEC(".maps");

/* Traced processes: tgid -> who forked it and when it started. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct lens_tracked_val);
} lens_tracked SEC(".maps");

/*
 * One bit per tgid, set exactly when the tgid is in lens_tracked. An array
 * lookup is inlined by the verifier, so an untraced process costs a few ns
 * on hot hooks. Mmapable: lens-probe flips bits with atomic ops in place.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LENS_PIDBITS_WORDS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} lens_pidbits SEC(".maps");

/* Failed ring buffer reserves, per enum lens_kind. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LENS_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lens_drops SEC(".maps");

/*
 * Records submitted to the ring buffer, per enum lens_kind: lens-probe
 * reports them so a reader can tell how many never arrived if it dies.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LENS_KIND_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lens_submitted SEC(".maps");

#endif /* LENS_MAPS_BPF_H */
