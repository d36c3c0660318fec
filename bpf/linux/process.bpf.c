// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process lifecycle: exec (with argv and cwd, failed attempts included),
 * fork/clone (children join the traced tree before they run) and exit.
 * This module is always loaded: it owns the shared maps and the tree.
 */
#include "common.bpf.h"
#include "names.bpf.h"
#include "path.bpf.h"
#include "creds.bpf.h"
#include "stack.bpf.h"

#define SIGNAL_GROUP_EXIT 0x00000004  /* include/linux/sched/signal.h */
#define LENS_ARGC_COUNT_MAX 8192      /* argc is counted this far past LENS_ARGV_MAX */

/* What sys_enter_execve saw, kept until its sys_exit. */
struct lens_exec_pending {
	__u32 active;
	__u32 argc;
	__u32 argv_len;
	__u16 flags;
	__u16 read_fault;  /* a filename or argv string could not be read at sys_enter */
	__u32 filename_len;
	char filename[LENS_PATH_MAX];
	char argv[LENS_ARGV_LEN * 2];  /* twice the record's: every bounded read fits */
};

LENS_TASK_STASH(lens_exec_stash, struct lens_exec_pending);
/* --stacks: the caller's stack at sys_enter, until sys_exit (a successful exec has replaced it by then). */
LENS_TASK_STASH(lens_exec_stack, struct lens_stack_snap);

/*
 * --stacks: the parent's stack when it made a child that shares its memory
 * (vfork, posix_spawn: CLONE_VM without CLONE_THREAD), by the child's pid,
 * until the child execs or exits. posix_spawn's child runs on a stack of its
 * own, where only the C library's spawn code is: the call that spawned it
 * is on the parent's, and that is the exec's caller.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct lens_stack_snap);
} lens_spawn_stack SEC(".maps");

/*
 * The exec's stack: the thread's own, or, in a child that shares its
 * parent's memory and runs on a stack far from its parent's (posix_spawn's
 * own), the parent's at the clone. A vfork child runs on its parent's stack
 * and keeps its own, which holds its exec call.
 */
static __always_inline void lens_exec_caller_stack(struct lens_stack_snap *snap)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lens_stack_snap *parent = bpf_map_lookup_elem(&lens_spawn_stack, &tid);
	__u64 sp, psp;

	lens_stack_take(snap);
	if (!parent)
		return;
	sp = snap->s.regs[LENS_REG_SP];
	psp = parent->s.regs[LENS_REG_SP];
	/* a vfork child's stack pointer is near its parent's, a few frames deeper */
	if (parent->s.error == LENS_STACK_OK && (sp > psp ? sp - psp : psp - sp) >= LENS_STACK_MAX + LENS_PAGE)
		bpf_probe_read_kernel(snap, sizeof(*snap), parent);
	bpf_map_delete_elem(&lens_spawn_stack, &tid);
}

/*
 * argv walk state. Counters live in the stash (a map value), so the
 * verifier checks each bpf_loop callback once, not once per iteration.
 */
struct lens_argv_walk {
	const char *const *argv;
};

/* Reads argument i into the stash; stops at the NULL that ends argv. */
static long lens_read_arg(__u32 i, struct lens_argv_walk *w)
{
	struct lens_exec_pending *p = lens_stash_get(&lens_exec_stash, false);
	const char *arg = NULL;
	__u32 off;
	long n;

	if (!p || bpf_probe_read_user(&arg, sizeof(arg), &w->argv[i]) || !arg)
		return 1;
	p->argc++;
	off = p->argv_len;
	if (off >= LENS_ARGV_LEN) {
		p->flags |= LENS_F_TRUNCATED;
		return 0;
	}
	n = bpf_probe_read_user_str(&p->argv[off & (LENS_ARGV_LEN - 1)], LENS_ARGV_LEN, arg);
	if (n <= 0) {
		p->read_fault = 1;
		return 1;
	}
	p->argv_len = off + n;
	return 0;
}

/* Counts argument LENS_ARGV_MAX + i without reading it. */
static long lens_count_arg(__u32 i, struct lens_argv_walk *w)
{
	struct lens_exec_pending *p = lens_stash_get(&lens_exec_stash, false);
	const char *arg = NULL;

	if (!p || bpf_probe_read_user(&arg, sizeof(arg), &w->argv[LENS_ARGV_MAX + i]) || !arg)
		return 1;
	p->argc++;
	p->flags |= LENS_F_TRUNCATED;
	return 0;
}

static __always_inline int exec_enter(const char *filename, const char *const *argv)
{
	struct lens_argv_walk w = { .argv = argv };
	struct lens_exec_pending *p;

	/* confined: an exec that leaves the user's reach is reported even without --events exec */
	if (!(lens_want(LENS_EXEC) || lens_cfg.confine) || !lens_is_tracked())
		return 0;
	p = lens_stash_get(&lens_exec_stash, true);
	if (!p) {
		lens_count_drop(LENS_EXEC);
		return 0;
	}
	p->active = 1;
	p->flags = 0;
	p->argc = 0;
	p->argv_len = 0;
	p->read_fault = 0;
	p->filename_len = lens_read_user_path(p->filename, (__u64)filename, &p->flags);
	if (!p->filename_len)
		p->read_fault = 1;

	if (lens_stack_on(LENS_EXEC)) {
		struct lens_stack_snap *snap = lens_stash_get(&lens_exec_stack, true);

		if (snap)
			lens_exec_caller_stack(snap);
	}
	lens_py_exec_enter();
	bpf_loop(LENS_ARGV_MAX, lens_read_arg, &w, 0);
	if (p->argc == LENS_ARGV_MAX)
		bpf_loop(LENS_ARGC_COUNT_MAX - LENS_ARGV_MAX, lens_count_arg, &w, 0);
	if (p->argv_len > LENS_ARGV_LEN) {
		p->flags |= LENS_F_TRUNCATED;
		p->argv_len = LENS_ARGV_LEN;
		p->argv[LENS_ARGV_LEN - 1] = '\0';
	}
	return 0;
}

/*
 * Appends the environment of the program a successful exec started, as the
 * kernel laid it out on the new stack (resident: exec just wrote it), at most
 * LENS_ENV_LEN bytes; returns its env_len. Nothing when the names before it
 * already fill the record (a path and an argv near their limits).
 */
static __always_inline __u32 lens_put_env(char *rec, __u32 off)
{
	struct task_struct *task = bpf_get_current_task_btf();
	unsigned long start = BPF_CORE_READ(task, mm, env_start);
	unsigned long end = BPF_CORE_READ(task, mm, env_end);
	__u32 len = end > start ? end - start : 0;
	char *dst;

	if (off > LENS_REC_OFF_MASK || len == 0)
		return 0;
	/* a longer environment is cut (not flagged truncated: the agent drops the string cut in two) */
	if (len > LENS_ENV_LEN)
		len = LENS_ENV_LEN;
	barrier_var(len);
	if (len > LENS_ENV_LEN)
		return 0;
	dst = &rec[off & LENS_REC_OFF_MASK];
	if (bpf_probe_read_user(dst, len, (const void *)start))
		return 0;
	dst[(len - 1) & (LENS_ENV_LEN - 1)] = '\0';
	return len;
}

static __always_inline int exec_exit(long ret)
{
	struct lens_exec_pending *p;
	struct lens_exec_event *e;
	char *rec;
	__u32 off, size;

	if (!(lens_want(LENS_EXEC) || lens_cfg.confine) || (!lens_cfg.confine && !lens_is_tracked()))
		return 0;
	p = lens_stash_get(&lens_exec_stash, false);
	if (!p || !p->active)
		return 0;
	p->active = 0;
	/* untracked at sched_process_exec: this record says so, and is the last */
	if (!(p->flags & LENS_F_UNTRACED_ANY) && (!lens_want(LENS_EXEC) || !lens_is_tracked()))
		goto out;
	rec = lens_rec_buf();
	if (!rec) {
		lens_count_drop(LENS_EXEC);
		goto out;
	}
	e = (struct lens_exec_event *)rec;
	lens_fill_hdr(&e->h, LENS_EXEC, 0);
	e->h.flags = p->flags;
	e->ret = ret;
	e->argc = p->argc;
	e->env_len = 0;
	off = sizeof(*e);
	e->filename_len = lens_put_kernel(rec, off, p->filename, p->filename_len);
	off += e->filename_len;
	/* exec leaves the cwd as it was: read here, once, whether the exec failed or not */
	e->cwd_len = lens_put_dir(rec, off, AT_FDCWD, &e->h.flags);
	off += e->cwd_len;
	e->argv_len = lens_put_kernel(rec, off, p->argv, p->argv_len);
	off += e->argv_len;
	if (ret == 0) {
		e->env_len = lens_put_env(rec, off);
		off += e->env_len;
	}
	size = lens_py_exec_exit(rec, off);
	if (lens_stack_on(LENS_EXEC)) {
		struct lens_stack_snap *snap = lens_stash_get(&lens_exec_stack, false);

		if (snap)
			lens_output_snap(rec, size, snap);
		else  /* no stash could be made at sys_enter: a failed exec's stack is still the caller's */
			lens_emit(rec, size);
	} else {
		lens_output(rec, size);
	}
out:
	lens_py_exec_drop();
	if (lens_stack_on(LENS_EXEC))
		bpf_task_storage_delete(&lens_exec_stack, bpf_get_current_task_btf());
	/* the stash holds up to LENS_ARGV_LEN * 2 + LENS_PATH_MAX bytes: not kept for the task's life */
	bpf_task_storage_delete(&lens_exec_stash, bpf_get_current_task_btf());
	return 0;
}

/*
 * A successful exec passes here between sys_enter and sys_exit. A forked
 * child often cannot have its execve strings read at sys_enter: string
 * literals live in read-only file pages that fork does not map into the
 * child until it touches them, and a tracepoint cannot fault. Here the
 * kernel holds the filename and has copied argv to the new stack (resident),
 * so whatever sys_enter missed is taken from them.
 */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(lens_exec_image, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct lens_exec_pending *p;
	unsigned long arg_start, arg_end;
	__u32 len;
	__u16 untraced;

	lens_py_forget(bpf_get_current_pid_tgid() >> 32);  /* a new image: the agent registers it again if it is Python */
	if (!(lens_want(LENS_EXEC) || lens_cfg.confine) || !lens_is_tracked())
		return 0;
	p = lens_stash_get(&lens_exec_stash, false);
	untraced = lens_exec_untraced();
	if (untraced) {
		lens_untrack(bpf_get_current_pid_tgid() >> 32);
		if (p && p->active)
			p->flags |= untraced;
	}
	if (!p || !p->active || !p->read_fault)
		return 0;
	if (!p->filename_len) {
		long n = bpf_probe_read_kernel_str(p->filename, sizeof(p->filename),
						   BPF_CORE_READ(bprm, filename));

		p->filename_len = n > 0 ? n : 0;
	}
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > LENS_ARGV_LEN) {
		len = LENS_ARGV_LEN;
		p->flags |= LENS_F_TRUNCATED;
	}
	len &= 2 * LENS_ARGV_LEN - 1;
	if (len == 0 || bpf_probe_read_user(p->argv, len, (const void *)arg_start))
		return 0;
	if (len == LENS_ARGV_LEN)
		p->argv[LENS_ARGV_LEN - 1] = '\0';
	p->argv_len = len;
	p->argc = BPF_CORE_READ(bprm, argc);
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int lens_execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
}

SEC("tp/syscalls/sys_exit_execve")
int lens_execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx->ret);
}

SEC("tp/syscalls/sys_enter_execveat")
int lens_execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
}

SEC("tp/syscalls/sys_exit_execveat")
int lens_execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx->ret);
}

/*
 * Runs in the parent before the child is first woken (kernel_clone calls
 * the tracepoint before wake_up_new_task), so a traced parent's child is in
 * the tree before its first instruction.
 */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(lens_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 ptgid = id >> 32;
	__u32 ctgid, cpid;
	struct lens_fork_event *e;
	__u64 cstart;

	if (!lens_tgid_tracked(ptgid))
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	cpid = BPF_CORE_READ(child, pid);
	cstart = BPF_CORE_READ(child, group_leader, start_time);
	if (ctgid != ptgid)
		lens_track(ctgid, ptgid, cstart);
	lens_py_fork(ptgid, ctgid);
	if (lens_stack_on(LENS_EXEC) && ctgid != ptgid && BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm)) {
		struct lens_stack_snap *snap = lens_stack_scratch();

		/* the parent is in its C library's clone wrapper: its caller's stack is the one of use */
		if (snap) {
			lens_stack_take_as(snap, true);
			bpf_map_update_elem(&lens_spawn_stack, &cpid, snap, BPF_ANY);
		}
	}

	if (!lens_want(LENS_FORK))
		return 0;
	e = lens_reserve(LENS_FORK, sizeof(*e));
	if (!e)
		return 0;
	lens_fill_hdr(&e->h, LENS_FORK, sizeof(*e));
	if (ctgid == ptgid)
		e->h.flags |= LENS_F_THREAD;
	e->child_pid = ctgid;
	e->child_tid = cpid;
	e->child_start_ns = cstart;
	lens_submit(e);
	return 0;
}

/* One exit record per process, when its last thread exits. */
SEC("raw_tp/sched_process_exit")
int lens_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct lens_exit_event *e;
	struct signal_struct *sig;
	__u32 code;

	if (!lens_tgid_tracked(tgid))
		return 0;
	sig = task->signal;
	if (sig->live.counter != 0)
		return 0;  /* other threads of the process still run */

	if (lens_cfg.stack_bytes)  /* a vfork or posix_spawn child that never exec'd */
		bpf_map_delete_elem(&lens_spawn_stack, &tgid);
	if (lens_want(LENS_EXIT)) {
		code = task->exit_code;
		if (sig->flags & SIGNAL_GROUP_EXIT)
			code = sig->group_exit_code;
		e = lens_reserve(LENS_EXIT, sizeof(*e));
		if (e) {
			lens_fill_hdr(&e->h, LENS_EXIT, sizeof(*e));
			e->exit_code = (code >> 8) & 0xff;
			e->signal = code & 0x7f;
			e->core_dumped = (code & 0x80) != 0;
			__builtin_memset(e->_pad, 0, sizeof(e->_pad));
			lens_submit(e);
		}
	}
	lens_untrack(tgid);
	lens_py_forget(tgid);
	return 0;
}

/*
 * ptrace requests that act on another process (or, TRACEME, hand this one to
 * its parent), and process_vm_writev: rare calls, recorded at their exit
 * with the arguments still in the saved registers.
 */
static __always_inline bool ptrace_acts(__u32 request)
{
	switch (request) {
	case 0:      /* PTRACE_TRACEME */
	case 4:      /* PTRACE_POKETEXT */
	case 5:      /* PTRACE_POKEDATA */
	case 6:      /* PTRACE_POKEUSER */
	case 13:     /* PTRACE_SETREGS */
	case 15:     /* PTRACE_SETFPREGS */
	case 16:     /* PTRACE_ATTACH */
	case 0x4205: /* PTRACE_SETREGSET */
	case 0x4206: /* PTRACE_SEIZE */
		return true;
	}
	return false;
}

static __always_inline int ptrace_record(__u32 request, __u32 target, __u64 addr, long ret)
{
	struct lens_ptrace_event *e;

	e = lens_reserve(LENS_PTRACE, sizeof(*e));
	if (!e)
		return 0;
	lens_fill_hdr(&e->h, LENS_PTRACE, sizeof(*e));
	e->ret = ret;
	e->addr = addr;
	e->request = request;
	e->target_pid = target;
	lens_submit(e);
	return 0;
}

SEC("tp/syscalls/sys_exit_ptrace")
int lens_ptrace_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 a[6];

	if (!lens_want(LENS_PTRACE) || !lens_is_tracked())
		return 0;
	lens_exit_args(a);
	if (!ptrace_acts((__u32)a[0]))
		return 0;
	return ptrace_record((__u32)a[0], (__u32)a[1], a[2], ctx->ret);
}

SEC("tp/syscalls/sys_exit_process_vm_writev")
int lens_vm_writev_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 a[6];

	if (!lens_want(LENS_PTRACE) || !lens_is_tracked())
		return 0;
	lens_exit_args(a);
	return ptrace_record(LENS_PTRACE_VM_WRITEV, (__u32)a[0], 0, ctx->ret);
}
