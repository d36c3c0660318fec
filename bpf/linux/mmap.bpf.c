// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Code mappings (--stacks only, events.h struct lens_mmap_event): each
 * executable file mapping of a traced process as it is made, so the agent
 * can unwind the stacks of a process that has exited before its
 * /proc/PID/maps was read. At exec, the new image's mappings are walked
 * (the program and its ELF interpreter: the kernel maps them itself, no
 * mmap call is made); after that, each mmap or mprotect that leaves an
 * executable file mapping is looked up (bpf_find_vma) and recorded.
 * Needs the task_vma iterator kfuncs (kernel 6.7, commit 4ac454682158
 * "bpf: Introduce task_vma open-coded iterator kfuncs"): without them this
 * module does not load, lens-probe says so, and stacks fall back to
 * /proc/PID/maps.
 */
#include "common.bpf.h"
#include "names.bpf.h"
#include "path.bpf.h"
#include "creds.bpf.h"

#define LENS_VM_EXEC 0x4      /* include/linux/mm.h VM_EXEC */
#define LENS_PROT_EXEC 0x4
#define LENS_PAGE_SHIFT 12

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
				 __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;

/* The inode's mtime was one timespec64 before kernel 6.11: __i_mtime in 6.6-6.10, i_mtime before. */
struct inode___v66 {
	struct timespec64 __i_mtime;
} __attribute__((preserve_access_index));
struct inode___v5 {
	struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

/* Whether this process's code mappings are recorded. */
static __always_inline bool lens_maps_on(void)
{
	return lens_cfg.stack_bytes && lens_is_tracked();
}

static __always_inline void lens_mtime(struct inode *inode, struct lens_mmap_event *e)
{
	if (bpf_core_field_exists(inode->i_mtime_sec)) {
		e->mtime_sec = BPF_CORE_READ(inode, i_mtime_sec);
		e->mtime_nsec = BPF_CORE_READ(inode, i_mtime_nsec);
	} else if (bpf_core_field_exists(((struct inode___v66 *)inode)->__i_mtime)) {
		struct inode___v66 *old = (void *)inode;

		e->mtime_sec = BPF_CORE_READ(old, __i_mtime.tv_sec);
		e->mtime_nsec = BPF_CORE_READ(old, __i_mtime.tv_nsec);
	} else {
		struct inode___v5 *old = (void *)inode;

		e->mtime_sec = BPF_CORE_READ(old, i_mtime.tv_sec);
		e->mtime_nsec = BPF_CORE_READ(old, i_mtime.tv_nsec);
	}
}

/* Records vma when it is an executable mapping of a file. */
static __always_inline void lens_map_emit(struct vm_area_struct *vma, __u16 map_flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct lens_path_scratch *s;
	struct lens_mmap_event *e;
	struct dentry *dentry;
	struct inode *inode;
	struct file *file;
	char *rec;
	__u32 n = 0;

	file = BPF_CORE_READ(vma, vm_file);
	if (!file || !(BPF_CORE_READ(vma, vm_flags) & LENS_VM_EXEC))
		return;
	rec = lens_rec_buf();
	if (!rec) {
		lens_count_drop(LENS_MMAP);
		return;
	}
	e = (struct lens_mmap_event *)rec;
	lens_fill_hdr(&e->h, LENS_MMAP, 0);
	e->start = BPF_CORE_READ(vma, vm_start);
	e->end = BPF_CORE_READ(vma, vm_end);
	e->pgoff = BPF_CORE_READ(vma, vm_pgoff) << LENS_PAGE_SHIFT;
	inode = BPF_CORE_READ(file, f_inode);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	lens_mtime(inode, e);
	e->_pad = 0;
	dentry = BPF_CORE_READ(file, f_path.dentry);
	/* d_unlinked(): unhashed, and not a root */
	if (!BPF_CORE_READ(dentry, d_hash.pprev) && BPF_CORE_READ(dentry, d_parent) != dentry)
		map_flags |= LENS_MAP_DELETED;
	e->map_flags = map_flags;
	s = lens_dentry_path(dentry, BPF_CORE_READ(file, f_path.mnt), BPF_CORE_READ(fs, root.dentry),
			     BPF_CORE_READ(fs, root.mnt));
	if (s)
		n = lens_put_kernel(rec, sizeof(*e), &s->buf[s->off & (LENS_PATH_MAX - 1)],
				    LENS_PATH_MAX - s->off);
	else
		e->h.flags |= LENS_F_TRUNCATED;
	e->path_len = n;
	lens_output(rec, sizeof(*e) + n);
}

/*
 * The new image's mappings, in address order: runs after exec has mapped
 * the program and its interpreter and before the process's first
 * instruction (and before the exec record, made at the syscall's exit).
 */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(lens_map_exec)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	__u16 flags = LENS_MAP_EXEC | LENS_MAP_RESET;

	/* a confined probe's user may not see what a program they cannot ptrace maps (its exec untracks it) */
	if (!lens_maps_on() || lens_exec_untraced())
		return 0;
	bpf_iter_task_vma_new(&it, task, 0);
	/* the iterator ends the loop: the verifier checks its body once per distinct state */
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (!(vma->vm_flags & LENS_VM_EXEC) || !vma->vm_file)
			continue;
		lens_map_emit(vma, flags);
		flags &= ~LENS_MAP_RESET;
	}
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

static long lens_map_found(struct task_struct *task, struct vm_area_struct *vma, __u16 *flags)
{
	lens_map_emit(vma, *flags);
	return 0;
}

/* The mapping at addr, if it is executable code from a file. */
static __always_inline void lens_map_at(__u64 addr, __u16 flags)
{
	bpf_find_vma(bpf_get_current_task_btf(), addr, lens_map_found, &flags, 0);
}

SEC("tp/syscalls/sys_exit_mmap")
int lens_map_mmap(struct trace_event_raw_sys_exit *ctx)
{
	__u64 a[6];

	/* an address, or -errno */
	if ((unsigned long)ctx->ret >= (unsigned long)-4095 || !lens_maps_on())
		return 0;
	lens_exit_args(a);
	/* prot; a file mapping (MAP_ANONYMOUS mappings have no vm_file and are skipped below) */
	if (!(a[2] & LENS_PROT_EXEC))
		return 0;
	lens_map_at(ctx->ret, 0);
	return 0;
}

static __always_inline int lens_map_protect(long ret)
{
	__u64 a[6];

	if (ret != 0 || !lens_maps_on())
		return 0;
	lens_exit_args(a);
	if (!(a[2] & LENS_PROT_EXEC))
		return 0;
	lens_map_at(a[0], LENS_MAP_PROTECT);
	return 0;
}

SEC("tp/syscalls/sys_exit_mprotect")
int lens_map_mprotect(struct trace_event_raw_sys_exit *ctx)
{
	return lens_map_protect(ctx->ret);
}

SEC("tp/syscalls/sys_exit_pkey_mprotect")
int lens_map_pkey_mprotect(struct trace_event_raw_sys_exit *ctx)
{
	return lens_map_protect(ctx->ret);
}
