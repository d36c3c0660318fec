// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every syscall of the traced tree, enter and exit paired per task, in two
 * modes fixed at load time (lens_cfg.syscall_mode): a full stream of
 * lens_syscall_event records, and/or an in-kernel aggregate per (pid, nr)
 * that lens-probe reads on demand. raw_tp hooks: these run on every syscall
 * of the machine, so an untraced task costs one inlined bit test.
 */
#include "common.bpf.h"

/* Syscalls to trace, one bit per number; set by lens-probe (--syscalls). */
const volatile __u64 lens_syscall_set[LENS_SYSCALL_MAX / 64] = {};

struct lens_sys_pending {
	__u64 ts;
	__u64 args[6];
	__u32 nr;
	__u32 active;
};

LENS_TASK_STASH(lens_sys_stash, struct lens_sys_pending);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lens_sysagg_key);
	__type(value, struct lens_sysagg_val);
} lens_sysagg SEC(".maps");

static const struct lens_sysagg_val lens_sysagg_zero;

/* The six syscall arguments from a copy of the entry pt_regs. */
static __always_inline void lens_syscall_args(struct pt_regs *r, __u64 *a)
{
#if defined(__TARGET_ARCH_x86)
	a[0] = r->di; a[1] = r->si; a[2] = r->dx;
	a[3] = r->r10; a[4] = r->r8; a[5] = r->r9;
#elif defined(__TARGET_ARCH_arm64)
	a[0] = r->orig_x0; a[1] = r->regs[1]; a[2] = r->regs[2];
	a[3] = r->regs[3]; a[4] = r->regs[4]; a[5] = r->regs[5];
#else
#error "lens_syscall_args: add this architecture's syscall argument registers"
#endif
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

SEC("raw_tp/sys_enter")
int lens_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct lens_sys_pending *p;
	__u64 nr = ctx->args[1];

	if (!lens_is_tracked())
		return 0;
	if (nr >= LENS_SYSCALL_MAX || !((lens_syscall_set[nr / 64] >> (nr & 63)) & 1))
		return 0;
	p = lens_stash_get(&lens_sys_stash, true);
	if (!p) {
		lens_count_drop(LENS_SYSCALL);
		return 0;
	}
	if (lens_cfg.syscall_mode & LENS_SYSCALL_STREAM) {
		struct pt_regs regs;

		bpf_probe_read_kernel(&regs, sizeof(regs), (void *)ctx->args[0]);
		lens_syscall_args(&regs, p->args);
	}
	p->nr = nr;
	p->active = 1;
	p->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline void lens_sysagg_add(__u32 pid, __u32 nr, long ret, __u64 dur)
{
	struct lens_sysagg_key key = { .pid = pid, .nr = nr };
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
	struct lens_sys_pending *p;
	long ret = ctx->args[1];
	__u64 id, now, dur;

	if (!lens_is_tracked())
		return 0;
	p = lens_stash_get(&lens_sys_stash, false);
	if (!p || !p->active)
		return 0;
	p->active = 0;
	now = bpf_ktime_get_ns();
	dur = now - p->ts;

	if (lens_cfg.syscall_mode & LENS_SYSCALL_STREAM) {
		struct lens_syscall_event *e = lens_reserve(LENS_SYSCALL, sizeof(*e));

		if (e) {
			lens_fill_hdr_at(&e->h, LENS_SYSCALL, sizeof(*e), now);
			e->ret = ret;
			e->dur_ns = dur;
			e->args[0] = p->args[0];
			e->args[1] = p->args[1];
			e->args[2] = p->args[2];
			e->args[3] = p->args[3];
			e->args[4] = p->args[4];
			e->args[5] = p->args[5];
			e->nr = p->nr;
			e->_pad = 0;
			lens_submit(e);
		}
	}
	if (lens_cfg.syscall_mode & LENS_SYSCALL_AGG) {
		id = bpf_get_current_pid_tgid();
		lens_sysagg_add(id >> 32, p->nr, ret, dur);
	}
	return 0;
}
