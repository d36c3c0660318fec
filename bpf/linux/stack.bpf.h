/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * User-stack snapshots (--stacks, events.h struct lens_stack): the user
 * registers saved at kernel entry (bpf_task_pt_regs) and a copy of the top
 * of the user stack, appended to exec, file, net and dns records for
 * lens-symbolize to unwind outside the kernel. The record is then written
 * through a ring buffer dynptr, whose size may vary: record, registers and
 * exactly the stack bytes that could be read.
 */
#ifndef LENS_STACK_BPF_H
#define LENS_STACK_BPF_H

#include "common.bpf.h"
#include "names.bpf.h"
#include "pystack.bpf.h"

#define LENS_PF_KTHREAD 0x00200000  /* include/linux/sched.h */
#define LENS_PAGE 4096

/* The kinds that carry a stack: the calls a program's code makes (not fork, exit, tcp_close, syscall). */
#define LENS_STACK_KINDS ((1u << LENS_EXEC) | (1u << LENS_OPEN) | LENS_FSOP_KINDS | (1u << LENS_CONNECT) | \
			  (1u << LENS_ACCEPT) | (1u << LENS_BIND) | (1u << LENS_LISTEN) |               \
			  (1u << LENS_UDP_SEND) | (1u << LENS_DNS))

/* A snapshot being taken: the copy may run one page past LENS_STACK_MAX before it is cut. */
struct lens_stack_snap {
	struct lens_stack s;
	char bytes[LENS_STACK_MAX + LENS_PAGE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lens_stack_snap);
} lens_stack_scr SEC(".maps");

/* Whether records of this kind carry a stack (folded at load time: free when stacks are off). */
static __always_inline bool lens_stack_on(__u32 kind)
{
	return lens_cfg.stack_bytes && (LENS_STACK_KINDS & (1u << kind));
}

/* This CPU's snapshot buffer. */
static __always_inline struct lens_stack_snap *lens_stack_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lens_stack_scr, &zero);
}

/*
 * Copies the stack from sp page by page, after one whole copy failed: a copy
 * faults as a whole, and the stack's mapping may end (a thread's stack, the
 * top of the main stack) before stack_bytes. Returns the bytes copied.
 */
static __always_inline __u32 lens_stack_pages(struct lens_stack_snap *snap, __u64 sp, __u32 want)
{
	__u32 pos = 0, n;
	int i;

	for (i = 0; i < LENS_STACK_MAX / LENS_PAGE + 1; i++) {
		if (pos >= want || pos >= LENS_STACK_MAX)
			break;
		n = LENS_PAGE - ((sp + pos) & (LENS_PAGE - 1));
		if (n > want - pos)
			n = want - pos;
		barrier_var(n);
		if (n > LENS_PAGE)
			break;
		if (bpf_probe_read_user(&snap->bytes[pos & (LENS_STACK_MAX - 1)], n, (const void *)(sp + pos)))
			break;
		pos += n;
	}
	return pos;
}

/*
 * Takes the current thread's registers and top of stack into snap. caller:
 * the thread is in a function that has not moved its stack pointer, where
 * its return address is, and has no unwind information there (glibc's clone
 * and clone3 wrappers at their syscall): the snapshot is its caller's, at
 * the call (ip one byte into the call instruction, as for any outer frame).
 */
static __always_inline void lens_stack_take_as(struct lens_stack_snap *snap, bool caller)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 want = lens_cfg.stack_bytes;
	struct mm_struct *mm;
	struct pt_regs *r;
	__u64 *g = snap->s.regs;
	__u64 sp;

	snap->s.len = 0;
	snap->s.error = LENS_STACK_OK;
	__builtin_memset(g, 0, sizeof(snap->s.regs));
	if (lens_current_task()->flags & LENS_PF_KTHREAD) {
		snap->s.error = LENS_STACK_ERR_KTHREAD;
		return;
	}
#if defined(__TARGET_ARCH_x86)
	r = (struct pt_regs *)bpf_task_pt_regs(task);
	g[0] = r->ax; g[1] = r->dx; g[2] = r->cx; g[3] = r->bx;
	g[4] = r->si; g[5] = r->di; g[6] = r->bp; g[7] = r->sp;
	g[8] = r->r8; g[9] = r->r9; g[10] = r->r10; g[11] = r->r11;
	g[12] = r->r12; g[13] = r->r13; g[14] = r->r14; g[15] = r->r15;
	g[16] = r->ip;
	sp = r->sp;
	if (caller) {
		__u64 ret = 0;

		if (!bpf_probe_read_user(&ret, sizeof(ret), (const void *)sp) && ret) {
			g[16] = ret - 1;
			sp += sizeof(ret);
			g[7] = sp;
		}
	}
#else
	snap->s.error = LENS_STACK_ERR_ARCH;
	return;
#endif
	if (want > LENS_STACK_MAX)
		want = LENS_STACK_MAX;
	/*
	 * The main thread's stack ends just above its environment strings: a copy
	 * that would run past them stops there (a shallow stack is often closer
	 * to its end than stack_bytes) instead of faulting and going page by page.
	 */
	mm = lens_current_task()->mm;
	if (mm) {
		__u64 end = mm->env_end;

		if (sp < end && end - sp < want)
			want = end - sp;
	}
	if (!bpf_probe_read_user(snap->bytes, want, (const void *)sp))
		snap->s.len = want;
	else
		snap->s.len = lens_stack_pages(snap, sp, want);
	if (!snap->s.len)
		snap->s.error = LENS_STACK_ERR_FAULT;
}

/* Takes the current thread's registers and top of stack into snap. */
static __always_inline void lens_stack_take(struct lens_stack_snap *snap)
{
	lens_stack_take_as(snap, false);
}

/*
 * Sends rec (size bytes, its header filled) with snap appended; a full ring
 * is counted as a drop of its kind.
 */
static __always_inline void lens_output_snap(char *rec, __u32 size, const struct lens_stack_snap *snap)
{
	struct lens_hdr *h = (struct lens_hdr *)rec;
	__u32 kind = h->kind, len = snap->s.len, total;
	__u64 flags = BPF_RB_NO_WAKEUP;
	struct bpf_dynptr ptr;

	barrier_var(size);
	barrier_var(len);
	if (size > LENS_REC_SCRATCH || len > LENS_STACK_MAX) {
		lens_count_drop(kind);
		return;
	}
	total = size + sizeof(struct lens_stack) + len;
	h->flags |= LENS_F_HAS_STACK;
	h->stack_size = sizeof(struct lens_stack) + len;
	h->size = total;
	if (bpf_ringbuf_reserve_dynptr(&lens_events, total, 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		lens_count_drop(kind);
		return;
	}
	bpf_dynptr_write(&ptr, 0, rec, size, 0);
	bpf_dynptr_write(&ptr, size, (void *)&snap->s, sizeof(struct lens_stack), 0);
	bpf_dynptr_write(&ptr, size + sizeof(struct lens_stack), (void *)snap->bytes, len, 0);
	if (bpf_ringbuf_query(&lens_events, BPF_RB_AVAIL_DATA) >= lens_cfg.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit_dynptr(&ptr, flags);
	lens_count_submitted(kind);
}

/* Sends a record built in rec (names.bpf.h), with the current stack when its kind carries one. */
static __always_inline void lens_emit(char *rec, __u32 size)
{
	struct lens_stack_snap *snap;

	size = lens_py_append(rec, size);

	if (!lens_stack_on(((struct lens_hdr *)rec)->kind)) {
		lens_output(rec, size);
		return;
	}
	snap = lens_stack_scratch();
	if (!snap) {
		lens_output(rec, size);
		return;
	}
	lens_stack_take(snap);
	lens_output_snap(rec, size, snap);
}

/*
 * Fixed-size records (net, dns): reserved in the ring buffer when stacks and
 * Python frames are off; built in the record buffer, to be sent with their
 * stack or Python frames by lens_fixed_send(), when either is on.
 */
static __always_inline void *lens_fixed_begin(__u32 kind, __u32 size)
{
	void *rec;

	if (!lens_stack_on(kind) && !lens_cfg.python)
		return lens_reserve(kind, size);
	rec = lens_rec_buf();
	if (!rec)
		lens_count_drop(kind);
	return rec;
}

static __always_inline void lens_fixed_send(void *rec, __u32 kind, __u32 size)
{
	if (lens_stack_on(kind) || lens_cfg.python)
		lens_emit(rec, size);
	else
		lens_submit(rec);
}

#endif /* LENS_STACK_BPF_H */
