/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every module includes: kernel types, libbpf helpers, the record
 * layouts, the shared maps, the load-time settings and the helpers that
 * filter, fill the common header and reserve/submit records.
 */
#ifndef LENS_COMMON_BPF_H
#define LENS_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "events.h"
#include "maps.bpf.h"

#define AT_FDCWD -100

/*
 * Load-time settings, identical in every module: lens-probe sets them on
 * each skeleton between open and load. Being read-only after load, the
 * verifier folds branches on them, so a disabled kind costs nothing.
 */
const volatile struct lens_config lens_cfg = {
	.kinds_mask = ~0u,
	.wakeup_bytes = 1 << 18,
	.syscall_mode = LENS_SYSCALL_STREAM,
};

/* Whether records of this kind were asked for (--events). */
static __always_inline bool lens_want(__u32 kind)
{
	return lens_cfg.kinds_mask & (1u << kind);
}

/* The tracked-set test on one tgid: one inlined array lookup. */
static __always_inline bool lens_tgid_tracked(__u32 tgid)
{
	__u32 word = (tgid / 64) & (LENS_PIDBITS_WORDS - 1);
	__u64 *bits = bpf_map_lookup_elem(&lens_pidbits, &word);

	return bits && (*bits >> (tgid & 63)) & 1;
}

/* Whether the current process belongs to the traced tree. */
static __always_inline bool lens_is_tracked(void)
{
	return lens_tgid_tracked(bpf_get_current_pid_tgid() >> 32);
}

/*
 * Adds tgid to the traced tree. The bit is what filters; a full lens_tracked
 * table is counted in lens_drops[0] (reported as dropped[0]) and the process
 * is still traced.
 */
static __always_inline void lens_track(__u32 tgid, __u32 parent, __u64 start_ns)
{
	struct lens_tracked_val val = { .start_ns = start_ns, .parent = parent };
	__u32 word = (tgid / 64) & (LENS_PIDBITS_WORDS - 1);
	__u64 *bits = bpf_map_lookup_elem(&lens_pidbits, &word);

	if (bits)
		__sync_fetch_and_or(bits, 1ULL << (tgid & 63));
	if (bpf_map_update_elem(&lens_tracked, &tgid, &val, BPF_ANY)) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&lens_drops, &zero);

		if (n)
			*n += 1;
	}
}

/* Removes tgid from the traced tree (its last thread exited). */
static __always_inline void lens_untrack(__u32 tgid)
{
	__u32 word = (tgid / 64) & (LENS_PIDBITS_WORDS - 1);
	__u64 *bits = bpf_map_lookup_elem(&lens_pidbits, &word);

	if (bits)
		__sync_fetch_and_and(bits, ~(1ULL << (tgid & 63)));
	bpf_map_delete_elem(&lens_tracked, &tgid);
}

/* Kernel kfunc (6.2+): a pointer of BTF type btf_id, read-only and untrusted. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * The current task as an untrusted BTF pointer. Loads through it are
 * direct (fault-safe) loads like those through bpf_get_current_task_btf(),
 * but the verifier does not look for trusted-pointer annotations on each
 * pointer field it follows: that lookup is a linear search of the kernel
 * BTF (kernel 6.18, btf_nested_type_is_trusted) and made every record
 * emitter take tens of milliseconds to load.
 */
static __always_inline struct task_struct *lens_current_task(void)
{
	return bpf_rdonly_cast(bpf_get_current_task_btf(),
			       bpf_core_type_id_kernel(struct task_struct));
}

/*
 * Fills the common header from task (lens_current_task()), stamped ts_ns.
 * Direct loads only, no helper calls: a helper call and its return cost
 * tens of nanoseconds on kernels with return-thunk mitigations, and this
 * runs for every record. Hooks that already read the clock pass that reading.
 */
static __always_inline void lens_fill_hdr_task(struct lens_hdr *h, struct task_struct *task,
					       __u16 kind, __u16 size, __u64 ts_ns)
{
	__u64 *comm = (__u64 *)task->comm;
	__u64 *out = (__u64 *)h->comm;

	h->ts_ns = ts_ns;
	h->start_ns = task->group_leader->start_time;
	h->pid = task->tgid;
	h->tid = task->pid;
	h->ppid = task->real_parent->tgid;
	h->uid = task->cred->uid.val;
	h->kind = kind;
	h->flags = 0;
	h->size = size;
	h->stack_size = 0;
	/* task->comm is NUL-padded to its 16 bytes (__set_task_comm). */
	out[0] = comm[0];
	out[1] = comm[1];
}

/* Fills the common header from the current task, stamped ts_ns. */
static __always_inline void lens_fill_hdr_at(struct lens_hdr *h, __u16 kind, __u16 size,
					     __u64 ts_ns)
{
	lens_fill_hdr_task(h, lens_current_task(), kind, size, ts_ns);
}

/* Fills the common header from the current task, stamped now. */
static __always_inline void lens_fill_hdr(struct lens_hdr *h, __u16 kind, __u16 size)
{
	lens_fill_hdr_at(h, kind, size, bpf_ktime_get_ns());
}

/* The six syscall arguments as saved in the entry registers r. */
static __always_inline void lens_regs_args(struct pt_regs *r, __u64 *a)
{
#if defined(__TARGET_ARCH_x86)
	a[0] = r->di; a[1] = r->si; a[2] = r->dx;
	a[3] = r->r10; a[4] = r->r8; a[5] = r->r9;
#elif defined(__TARGET_ARCH_arm64)
	a[0] = r->orig_x0; a[1] = r->regs[1]; a[2] = r->regs[2];
	a[3] = r->regs[3]; a[4] = r->regs[4]; a[5] = r->regs[5];
#else
#error "lens_regs_args: add this architecture's syscall argument registers"
#endif
}

/*
 * The current syscall's arguments, read at its exit: the user registers
 * saved at entry are restored on return, so they still hold the arguments
 * (every call the file and net modules trace leaves them alone; execve and
 * rt_sigreturn, which replace them, are not among those).
 */
static __always_inline void lens_exit_args(__u64 *a)
{
	lens_regs_args((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()), a);
}

/* Counts one lost record of this kind: never silent. */
static __always_inline void lens_count_drop(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&lens_drops, &kind);

	if (n)
		*n += 1;
}

/* Counts one record handed to the ring buffer (lens_submitted). */
static __always_inline void lens_count_submitted(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&lens_submitted, &kind);

	if (n)
		*n += 1;
}

/* Reserves a record in the ring buffer; a full ring is counted per kind. */
static __always_inline void *lens_reserve(__u32 kind, __u32 size)
{
	void *rec = bpf_ringbuf_reserve(&lens_events, size, 0);

	if (!rec)
		lens_count_drop(kind);
	return rec;
}

/*
 * Submits a reserved record. The reader is woken only once wakeup_bytes are
 * waiting (it also polls on a short timeout), which saves a wakeup per record
 * on busy hooks.
 */
static __always_inline void lens_submit(void *rec)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	lens_count_submitted(((struct lens_hdr *)rec)->kind);

	if (bpf_ringbuf_query(&lens_events, BPF_RB_AVAIL_DATA) >= lens_cfg.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

/*
 * Enter/exit pairing: a task-local stash. Cheaper than a per-tid hash (no
 * hashing, no element allocation on the hot path), freed with the task when
 * an exit never comes (exit_group, a successful execve from a thread), and it
 * follows the task through de_thread(), where the tid changes.
 */
#define LENS_TASK_STASH(name, value_type)                               \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_TASK_STORAGE);          \
		__uint(map_flags, BPF_F_NO_PREALLOC);             \
		__type(key, int);                                 \
		__type(value, value_type);                        \
	} name SEC(".maps")

/* The current task's stash slot in map, created (zeroed) on first use. */
static __always_inline void *lens_stash_get(void *map, bool create)
{
	return bpf_task_storage_get(map, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#endif /* LENS_COMMON_BPF_H */
