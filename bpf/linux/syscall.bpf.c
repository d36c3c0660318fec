// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every syscall of the traced tree, enter and exit paired per thread, in two
 * modes fixed at load time (lens_cfg.syscall_mode): a full stream of
 * lens_syscall_event records, and/or an in-kernel aggregate per (process, nr)
 * that lens-probe reads on demand. raw_tp hooks: these run on every syscall
 * of the machine, so an untraced task costs one helper call and one inlined
 * bit test, and a traced one as few helper calls as the record needs (each
 * call and return costs tens of nanoseconds under return-thunk mitigations).
 */
#include "common.bpf.h"
#include "sysdata.bpf.h"

/* Syscalls to trace, one bit per number; set by lens-probe (--syscalls). */
const volatile __u64 lens_syscall_set[LENS_SYSCALL_MAX / 64] = {};

/*
 * The launched target while it still runs lens-probe's code between fork
 * and exec (signal set-up, dup2 of its stdio, the read that holds it): set
 * by lens-probe before the child joins the traced tree, cleared here when
 * its exec succeeds. Until then only its execve/execveat calls are taken,
 * so the target's syscalls and counts begin with its exec, as strace's do.
 */
__u32 lens_held_tgid = 0;

/*
 * execve/execveat: a successful one from a non-leader thread changes the
 * thread's id (de_thread), so its pairing goes through the task stash.
 * exit/exit_group never return: recorded at entry.
 */
#if defined(__TARGET_ARCH_x86)
#define LENS_NR_EXECVE 59
#define LENS_NR_EXECVEAT 322
#define LENS_NR_EXIT 60
#define LENS_NR_EXIT_GROUP 231
#elif defined(__TARGET_ARCH_arm64)
#define LENS_NR_EXECVE 221
#define LENS_NR_EXECVEAT 281
#define LENS_NR_EXIT 93
#define LENS_NR_EXIT_GROUP 94
#else
#error "syscall.bpf.c: add this architecture's execve, execveat, exit and exit_group numbers"
#endif

struct lens_sys_pending {
	__u64 ts;
	__u64 args[6];
	__u64 start_ns;       /* the thread's start_time: a reused tid is another thread */
	__u32 nr;
	__u32 tid;            /* the thread whose call is pending; 0 once consumed */
};

/*
 * Pending syscalls, one slot per thread id modulo LENS_SYS_SLOTS: an array
 * lookup the verifier inlines, where task storage costs a helper call with
 * a lock. A slot held by another thread id (same index, its call pending,
 * or left by a thread that died inside a syscall) sends the call to the
 * task stash instead; a slot left by a dead thread is taken back when its
 * thread id is reused.
 */
#define LENS_SYS_SLOTS 16384

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LENS_SYS_SLOTS);
	__type(key, __u32);
	__type(value, struct lens_sys_pending);
} lens_sys_slots SEC(".maps");

/* Fallback pairing: slot collisions and execve (whose thread id may change). */
LENS_TASK_STASH(lens_sys_stash, struct lens_sys_pending);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lens_sysagg_key);
	__type(value, struct lens_sysagg_val);
} lens_sysagg SEC(".maps");

static const struct lens_sysagg_val lens_sysagg_zero;

/* The six syscall arguments from the entry pt_regs (direct, fault-safe loads). */
static __always_inline void lens_syscall_args(__u64 regs, __u64 *a)
{
	lens_regs_args(bpf_rdonly_cast((void *)regs, bpf_core_type_id_kernel(struct pt_regs)), a);
}

static __always_inline __u32 lens_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline struct lens_sys_pending *lens_sys_slot(__u32 tid)
{
	__u32 key = tid & (LENS_SYS_SLOTS - 1);

	return bpf_map_lookup_elem(&lens_sys_slots, &key);
}

/* Fills the fixed part of a syscall record (data items none yet). */
static __always_inline void lens_sys_fill(struct lens_syscall_event *e, struct task_struct *task,
					  __u32 size, __u64 now, long ret, __u64 dur, __u32 nr,
					  const __u64 *args)
{
	lens_fill_hdr_task(&e->h, bpf_rdonly_cast(task, bpf_core_type_id_kernel(struct task_struct)),
			   LENS_SYSCALL, size, now);
	e->ret = ret;
	e->dur_ns = dur;
	e->args[0] = args[0];
	e->args[1] = args[1];
	e->args[2] = args[2];
	e->args[3] = args[3];
	e->args[4] = args[4];
	e->args[5] = args[5];
	e->nr = nr;
	e->data_arg[0] = 0;
	e->data_arg[1] = 0;
	e->data_len[0] = 0;
	e->data_len[1] = 0;
}

/* exit and exit_group: the record of a call that never returns, made at its entry. */
static __always_inline void lens_sys_no_return(struct task_struct *task, __u64 regs, __u32 nr)
{
	struct lens_syscall_event *e = lens_reserve(LENS_SYSCALL, sizeof(*e));
	__u64 args[6];

	if (!e)
		return;
	lens_syscall_args(regs, args);
	lens_sys_fill(e, task, sizeof(*e), bpf_ktime_get_ns(), 0, 0, nr, args);
	e->h.flags = LENS_F_NO_RETURN;
	lens_count_submitted(LENS_SYSCALL);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/*
 * The record of a call whose arguments point to paths, argv or a sockaddr
 * (lens_sysdata_spec): built in the record buffer with its data items and
 * sent at its real size. Frees the pending slot p once its arguments are copied.
 */
static __always_inline void lens_sys_emit_data(struct lens_sys_pending *p, struct task_struct *task,
					       __u64 now, long ret, __u64 dur, __u32 nr, __u16 spec)
{
	struct lens_syscall_event *e;
	char *rec = lens_rec_buf();
	bool exec_done;
	__u32 off;

	if (!rec) {
		__sync_lock_test_and_set(&p->tid, 0);
		lens_count_drop(LENS_SYSCALL);
		return;
	}
	e = (struct lens_syscall_event *)rec;
	lens_sys_fill(e, task, 0, now, ret, dur, nr, p->args);
	__sync_lock_test_and_set(&p->tid, 0);
	exec_done = ret == 0 && (nr == LENS_NR_EXECVE || nr == LENS_NR_EXECVEAT);
	off = sizeof(*e);
	e->data_arg[0] = spec;
	e->data_len[0] = lens_put_sysdata(rec, off, spec, e->args, exec_done, &e->h.flags);
	off += e->data_len[0];
	if (spec >> 8) {
		e->data_arg[1] = spec >> 8;
		e->data_len[1] = lens_put_sysdata(rec, off, spec >> 8, e->args, exec_done, &e->h.flags);
		off += e->data_len[1];
	}
	lens_output(rec, off);
}

SEC("raw_tp/sys_enter")
int lens_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lens_sys_pending *p;
	__u64 nr = ctx->args[1];
	__u32 tid;

	if (!lens_tgid_tracked(task->tgid))
		return 0;
	if (nr >= LENS_SYSCALL_MAX || !((lens_syscall_set[nr / 64] >> (nr & 63)) & 1))
		return 0;
	if (lens_held_tgid == task->tgid && nr != LENS_NR_EXECVE && nr != LENS_NR_EXECVEAT)
		return 0;
	if (nr == LENS_NR_EXIT || nr == LENS_NR_EXIT_GROUP) {
		if (lens_cfg.syscall_mode & LENS_SYSCALL_STREAM)
			lens_sys_no_return(task, ctx->args[0], nr);
		return 0;
	}
	tid = task->pid;
	p = lens_sys_slot(tid);
	if (!p)
		return 0;
	/*
	 * The slot is ours when it holds our tid (left by a dead thread with the
	 * same tid: live thread ids are unique) or when we claim it free; the
	 * claim is atomic because threads on other CPUs share slots.
	 */
	if (nr == LENS_NR_EXECVE || nr == LENS_NR_EXECVEAT ||
	    (p->tid != tid && __sync_val_compare_and_swap(&p->tid, 0, tid) != 0)) {
		p = lens_stash_get(&lens_sys_stash, true);
		if (!p) {
			lens_count_drop(LENS_SYSCALL);
			return 0;
		}
		p->tid = tid;
	}
	if (lens_cfg.syscall_mode & LENS_SYSCALL_STREAM)
		lens_syscall_args(ctx->args[0], p->args);
	p->nr = nr;
	p->start_ns = task->start_time;
	p->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline void lens_sysagg_add(struct task_struct *task, __u32 nr, long ret, __u64 dur)
{
	struct lens_sysagg_key key = {
		.start_ns = task->group_leader->start_time, .pid = task->tgid, .nr = nr,
	};
	struct lens_sysagg_val *v;
	__u32 b;

	v = bpf_map_lookup_elem(&lens_sysagg, &key);
	if (!v) {
		bpf_map_update_elem(&lens_sysagg, &key, &lens_sysagg_zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&lens_sysagg, &key);
		if (!v) {
			lens_count_drop(LENS_SYSCALL);
			return;
		}
	}
	/* Per-CPU values: plain adds, summed by lens-probe. */
	v->count++;
	if (ret < 0 && ret >= -4095)
		v->errors++;
	v->total_ns += dur;
	if (dur > v->max_ns)
		v->max_ns = dur;
	b = lens_log2(dur);
	if (b >= LENS_HIST_BUCKETS)
		b = LENS_HIST_BUCKETS - 1;
	v->hist[b]++;
}

SEC("raw_tp/sys_exit")
int lens_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lens_syscall_event *e = NULL;
	struct lens_sys_pending *p;
	long ret = ctx->args[1];
	__u64 now, dur;
	__u32 tid, nr;

	if (!lens_tgid_tracked(task->tgid))
		return 0;
	tid = task->pid;
	p = lens_sys_slot(tid);
	if (!p)
		return 0;
	if (p->tid != tid || p->start_ns != task->start_time) {
		/*
		 * Not in its slot: a collision, an exec, a new thread's first
		 * return (from clone) or a call entered before tracing began.
		 */
		p = lens_stash_get(&lens_sys_stash, false);
		if (!p || !p->tid)
			return 0;
	}
	now = bpf_ktime_get_ns();
	dur = now - p->ts;
	nr = p->nr;
	if (ret == 0 && (nr == LENS_NR_EXECVE || nr == LENS_NR_EXECVEAT) &&
	    lens_held_tgid == task->tgid)
		lens_held_tgid = 0;

	if (lens_cfg.syscall_mode & LENS_SYSCALL_STREAM) {
		__u16 spec = lens_sysdata_spec[nr & (LENS_SYSCALL_MAX - 1)];

		if (spec) {
			lens_sys_emit_data(p, task, now, ret, dur, nr, spec);
			goto agg;
		}
		e = lens_reserve(LENS_SYSCALL, sizeof(*e));
		if (e)
			lens_sys_fill(e, task, sizeof(*e), now, ret, dur, nr, p->args);
	}
	/* Freed once read (an exchange orders the reads before it): another thread may claim it. */
	__sync_lock_test_and_set(&p->tid, 0);
	if (e) {
		lens_count_submitted(LENS_SYSCALL);
		/* The reader polls on a short timeout: no wakeup, no ring query per record. */
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	}
agg:
	if (lens_cfg.syscall_mode & LENS_SYSCALL_AGG)
		lens_sysagg_add(task, nr, ret, dur);
	return 0;
}
