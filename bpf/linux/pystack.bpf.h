/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Python frames of attached Python processes (events.h struct lens_pystack).
 * The agent registers a process (LENS_CMD_PYTHON: where its _PyRuntime's
 * interpreter list is and the struct offsets of its CPython version); at
 * each exec, file, net and dns record of that process the thread's frame
 * chain is read here, at the syscall, while the call that made it is still
 * running: _PyRuntime.interpreters.head -> each interpreter's thread states,
 * the one whose native_thread_id is this thread (not the GIL holder: the
 * GIL is often released around the syscall) -> its current frame ->
 * previous ... Each frame's code object and instruction pointer go into the
 * record; the agent reads the code objects (they outlive the call) from the
 * process's memory. Every read is a bounded bpf_probe_read_user: a bad
 * pointer ends the walk with LENS_PY_FAULT, it cannot fault.
 *
 * A fork inherits the registration (same memory), with the forking thread
 * as a fallback: a forked child's only thread runs on the thread state of
 * the thread that forked until Python updates its id, and a vfork child
 * (subprocess) runs in its parent's memory. An exec or exit ends it.
 */
#ifndef LENS_PYSTACK_BPF_H
#define LENS_PYSTACK_BPF_H

#include "common.bpf.h"
#include "names.bpf.h"

#define LENS_PY_THREADS_MAX 256   /* thread states (all interpreters) looked at per walk */
#define LENS_PY_STEPS_MAX 96      /* frames followed per walk (C-stack shims are skipped, not kept) */

/* Registered Python processes (key: tgid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct lens_py_proc);
} lens_py_procs SEC(".maps");

/*
 * 1 once any process was registered (lens-probe sets it): until then an
 * event costs one inlined array lookup here, not a hash lookup.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} lens_py_any SEC(".maps");

/* A walk's result: the trailer as it goes into the record; then room for one frame's bytes. */
struct lens_pystack_buf {
	struct lens_pystack s;
	struct lens_pyframe f[LENS_PY_FRAMES_MAX];
	__u8 win[128 + 8];  /* a frame's first LENS_PY_FRAME_SPAN bytes (fields at offsets masked by 127) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lens_pystack_buf);
} lens_py_scr SEC(".maps");

/* An exec's walk, taken at sys_enter (the image is gone by sys_exit), until its record is sent. */
LENS_TASK_STASH(lens_exec_py, struct lens_pystack_buf);

/* The walk's state, scalars only (bpf_loop callbacks get it by pointer). */
struct lens_py_walk {
	__u64 interp;
	__u64 ts;
	__u64 found;
	__u64 fallback;
	__u64 frame;
	__u32 tid;
	__u32 fork_tid;
	__u32 n;
	__u16 error;
	__u8 flags;
	__u8 _pad;
	__u16 interp_next, interp_threads, thread_next, thread_tid;
	__u16 frame_code, frame_previous, frame_instr, frame_owner, owner_cstack;
};

static __always_inline struct lens_pystack_buf *lens_py_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lens_py_scr, &zero);
}

/* *out = the u64 at user address addr; false when it cannot be read. */
static __always_inline bool lens_py_read(__u64 addr, __u64 *out)
{
	return bpf_probe_read_user(out, sizeof(*out), (const void *)addr) == 0;
}

/* One thread state (or, between interpreters, the next interpreter's list) per call. */
static long lens_py_thread_step(__u32 i, struct lens_py_walk *w)
{
	__u64 tid;

	if (!w->ts) {
		if (!w->interp)
			return 1;
		if (!lens_py_read(w->interp + w->interp_threads, &w->ts) ||
		    !lens_py_read(w->interp + w->interp_next, &w->interp)) {
			w->error = LENS_PY_FAULT;
			return 1;
		}
		return 0;
	}
	if (!lens_py_read(w->ts + w->thread_tid, &tid)) {
		w->error = LENS_PY_FAULT;
		return 1;
	}
	if (tid == w->tid) {
		w->found = w->ts;
		return 1;
	}
	if (w->fork_tid && tid == w->fork_tid)
		w->fallback = w->ts;
	if (!lens_py_read(w->ts + w->thread_next, &w->ts)) {
		w->error = LENS_PY_FAULT;
		return 1;
	}
	return 0;
}

/*
 * One frame per call, its fields read at once (one read costs about what
 * one 8-byte read does): kept unless it is a C-stack shim.
 */
static long lens_py_frame_step(__u32 i, struct lens_py_walk *w)
{
	struct lens_pystack_buf *b = lens_py_scratch();
	__u64 code, instr;
	__u8 owner;

	if (!b || !w->frame)
		return 1;
	if (w->n >= LENS_PY_FRAMES_MAX) {
		w->flags |= LENS_PY_TRUNCATED;
		return 1;
	}
	if (bpf_probe_read_user(b->win, LENS_PY_FRAME_SPAN, (const void *)w->frame)) {
		w->error = LENS_PY_FAULT;
		return 1;
	}
	code = *(__u64 *)&b->win[w->frame_code & 127];
	instr = *(__u64 *)&b->win[w->frame_instr & 127];
	owner = b->win[w->frame_owner & 127];
	if (w->owner_cstack == LENS_PY_NONE || owner != w->owner_cstack) {
		b->f[w->n & (LENS_PY_FRAMES_MAX - 1)].code = code;
		b->f[w->n & (LENS_PY_FRAMES_MAX - 1)].instr = instr;
		w->n++;
	}
	w->frame = *(__u64 *)&b->win[w->frame_previous & 127];
	return 0;
}

/*
 * Walks the current thread's Python frames into this CPU's scratch, for a
 * process registered as p. Returns the scratch, NULL when there is none.
 */
static __always_inline struct lens_pystack_buf *lens_py_walk(const struct lens_py_proc *p)
{
	struct lens_pystack_buf *b = lens_py_scratch();
	struct lens_py_walk w = {
		.tid = (__u32)bpf_get_current_pid_tgid(),
		.fork_tid = p->fork_tid,
		.interp_next = p->interp_next, .interp_threads = p->interp_threads,
		.thread_next = p->thread_next, .thread_tid = p->thread_tid,
		.frame_code = p->frame_code, .frame_previous = p->frame_previous,
		.frame_instr = p->frame_instr, .frame_owner = p->frame_owner,
		.owner_cstack = p->owner_cstack,
	};
	__u64 ts;

	if (!b)
		return NULL;
	b->s.cookie = p->cookie;
	b->s.flags = 0;
	b->s.nframes = 0;
	/* the fallback is for a forked child's own thread only; a new thread's tstate may not have its id yet */
	if (w.tid != bpf_get_current_pid_tgid() >> 32)
		w.fork_tid = 0;
	if (!lens_py_read(p->head, &w.interp)) {
		b->s.error = LENS_PY_FAULT;
		return b;
	}
	bpf_loop(LENS_PY_THREADS_MAX, lens_py_thread_step, &w, 0);
	ts = w.found ? w.found : w.fallback;
	if (!ts) {
		b->s.error = w.error ? w.error : LENS_PY_NO_THREAD;
		return b;
	}
	w.error = LENS_PY_OK;
	if (!lens_py_read(ts + p->thread_frame, &w.frame) ||
	    (p->cframe_frame != LENS_PY_NONE && w.frame &&
	     !lens_py_read(w.frame + p->cframe_frame, &w.frame))) {
		b->s.error = LENS_PY_FAULT;
		return b;
	}
	bpf_loop(LENS_PY_STEPS_MAX, lens_py_frame_step, &w, 0);
	if (w.frame && !w.error)  /* more frames than kept, or than the steps allowed */
		w.flags |= LENS_PY_TRUNCATED;
	b->s.error = w.error;
	b->s.flags = w.flags;
	b->s.nframes = w.n > LENS_PY_FRAMES_MAX ? LENS_PY_FRAMES_MAX : w.n;
	return b;
}

/* The registration of the current process, when Python frames are on (folded at load time when off). */
/* Whether Python frames are on and some process was registered. */
static __always_inline bool lens_py_some(void)
{
	__u32 zero = 0, *any;

	if (!lens_cfg.python)
		return false;
	any = bpf_map_lookup_elem(&lens_py_any, &zero);
	return any && *any;
}

static __always_inline struct lens_py_proc *lens_py_proc(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!lens_py_some())
		return NULL;
	return bpf_map_lookup_elem(&lens_py_procs, &tgid);
}

/* Bytes of a walk's trailer. */
static __always_inline __u32 lens_py_bytes(const struct lens_pystack_buf *b)
{
	return sizeof(struct lens_pystack) + (b->s.nframes & (2 * LENS_PY_FRAMES_MAX - 1)) * sizeof(struct lens_pyframe);
}

/* Appends a walk's trailer at rec[size]; returns the record's new size (size when it does not fit). */
static __always_inline __u32 lens_py_put(char *rec, __u32 size, const struct lens_pystack_buf *b)
{
	__u32 n = lens_py_bytes(b);

	barrier_var(size);
	if (size > LENS_REC_SCRATCH - sizeof(struct lens_pystack_buf) || n > sizeof(struct lens_pystack_buf))
		return size;
	if (bpf_probe_read_kernel(&rec[size], n, b))
		return size;
	((struct lens_hdr *)rec)->flags |= LENS_F_HAS_PYSTACK;
	return size + n;
}

/*
 * The record built in rec (size bytes, its header filled; a kind that
 * carries stacks) with the current thread's Python frames appended when its
 * process is registered; returns its size. A record that already has them
 * (an exec's) is left alone.
 */
static __always_inline __u32 lens_py_append(char *rec, __u32 size)
{
	struct lens_py_proc *p;
	struct lens_pystack_buf *b;

	if (((struct lens_hdr *)rec)->flags & LENS_F_HAS_PYSTACK)
		return size;
	p = lens_py_proc();
	if (!p)
		return size;
	b = lens_py_walk(p);
	return b ? lens_py_put(rec, size, b) : size;
}

/* execve entry: the caller's Python frames, kept for the exec record. */
static __always_inline void lens_py_exec_enter(void)
{
	struct lens_py_proc *p = lens_py_proc();
	struct lens_pystack_buf *b, *keep;

	if (!p) {
		if (lens_cfg.python)  /* an earlier exec's frames whose exit never came */
			bpf_task_storage_delete(&lens_exec_py, bpf_get_current_task_btf());
		return;
	}
	b = lens_py_walk(p);
	keep = lens_stash_get(&lens_exec_py, true);
	if (b && keep)
		bpf_probe_read_kernel(keep, sizeof(*keep), b);
}

/* execve exit: the exec record built in rec gets the frames taken at entry; returns its size. */
static __always_inline __u32 lens_py_exec_exit(char *rec, __u32 size)
{
	struct lens_pystack_buf *keep;

	if (!lens_cfg.python)
		return size;
	keep = lens_stash_get(&lens_exec_py, false);
	if (!keep)
		return size;
	size = lens_py_put(rec, size, keep);
	bpf_task_storage_delete(&lens_exec_py, bpf_get_current_task_btf());
	return size;
}

/* An exec record that is not sent: its frames go. */
static __always_inline void lens_py_exec_drop(void)
{
	if (lens_cfg.python)
		bpf_task_storage_delete(&lens_exec_py, bpf_get_current_task_btf());
}

/* fork: a registered parent's child inherits its registration, the forking thread as fallback. */
static __always_inline void lens_py_fork(__u32 ptgid, __u32 ctgid)
{
	struct lens_py_proc *p, child;

	if (ctgid == ptgid || !lens_py_some())
		return;
	p = bpf_map_lookup_elem(&lens_py_procs, &ptgid);
	if (!p)
		return;
	child = *p;
	child.fork_tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&lens_py_procs, &ctgid, &child, BPF_ANY);
}

/* exec (a new image) or exit: the registration ends. */
static __always_inline void lens_py_forget(__u32 tgid)
{
	if (lens_py_some())
		bpf_map_delete_elem(&lens_py_procs, &tgid);
}

#endif /* LENS_PYSTACK_BPF_H */
