/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Absolute directory of a relative path: the cwd for AT_FDCWD, else the
 * path of the open directory dirfd. A bounded dentry walk that crosses
 * mounts (mount->mnt_parent / mnt_mountpoint) up to the task's root, with
 * CO-RE reads only. Cold path (exec, relative opens): clarity over speed.
 */
#ifndef LENS_PATH_BPF_H
#define LENS_PATH_BPF_H

#include "common.bpf.h"

#define LENS_PATH_DEPTH 32   /* components walked; deeper paths are truncated */

/*
 * Per-CPU state of one walk. It lives in a map value, not on the stack: the
 * verifier then sees every bpf_loop iteration as the same state and checks
 * the callback once instead of once per iteration.
 */
struct lens_path_scratch {
	char buf[LENS_DIR_LEN * 2];  /* twice the output: every bounded write fits */
	const unsigned char *names[LENS_PATH_DEPTH];
	__u32 lens[LENS_PATH_DEPTH];
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *root_d;
	struct vfsmount *root_mnt;
	__u32 depth;
	__u32 off;
	__u32 truncated;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lens_path_scratch);
} lens_path_scr SEC(".maps");

static __always_inline struct lens_path_scratch *lens_path_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lens_path_scr, &zero);
}

static __always_inline struct mount *lens_real_mount(struct vfsmount *mnt)
{
	return (struct mount *)((void *)mnt - bpf_core_field_offset(struct mount, mnt));
}

/* One step up: to the parent dentry, or across a mount to its mountpoint. */
static long lens_walk_up(__u32 i, void *unused)
{
	struct lens_path_scratch *s = lens_path_scratch();
	struct dentry *dentry, *up;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 depth;

	if (!s)
		return 1;
	dentry = s->dentry;
	vfsmnt = s->vfsmnt;
	depth = s->depth;
	if (dentry == s->root_d && vfsmnt == s->root_mnt)
		return 1;
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *parent;

		mnt = lens_real_mount(vfsmnt);
		parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt)
			return 1;
		s->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		s->vfsmnt = (struct vfsmount *)((void *)parent +
						bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	up = BPF_CORE_READ(dentry, d_parent);
	if (up == dentry)
		return 1;
	if (depth >= LENS_PATH_DEPTH) {
		s->truncated = 1;
		return 1;
	}
	s->names[depth & (LENS_PATH_DEPTH - 1)] = BPF_CORE_READ(dentry, d_name.name);
	s->lens[depth & (LENS_PATH_DEPTH - 1)] = BPF_CORE_READ(dentry, d_name.len);
	s->depth = depth + 1;
	s->dentry = up;
	return 0;
}

/* Appends "/" and component i (outermost first) to the scratch buffer. */
static long lens_walk_emit(__u32 i, void *unused)
{
	struct lens_path_scratch *s = lens_path_scratch();
	__u32 k, n, off;

	if (!s || i >= s->depth)
		return 1;
	off = s->off;
	if (off >= LENS_DIR_LEN - 1) {
		s->truncated = 1;
		return 1;
	}
	k = (s->depth - 1 - i) & (LENS_PATH_DEPTH - 1);
	n = s->lens[k];
	if (n > LENS_DIR_LEN - 1)
		n = LENS_DIR_LEN - 1;
	s->buf[off & (LENS_DIR_LEN - 1)] = '/';
	off++;
	bpf_probe_read_kernel(&s->buf[off & (LENS_DIR_LEN - 1)], n & (LENS_DIR_LEN - 1), s->names[k]);
	s->off = off + n;
	return 0;
}

/*
 * Writes the path of (dentry, vfsmnt) relative to (root_d, root_mnt) into
 * out[LENS_DIR_LEN]. Returns 0, 1 when the path was truncated, or -1.
 */
static __always_inline int lens_dentry_path(struct dentry *dentry, struct vfsmount *vfsmnt,
					    struct dentry *root_d, struct vfsmount *root_mnt,
					    char *out)
{
	struct lens_path_scratch *s = lens_path_scratch();
	__u32 off;

	if (!s)
		return -1;
	s->dentry = dentry;
	s->vfsmnt = vfsmnt;
	s->root_d = root_d;
	s->root_mnt = root_mnt;
	s->depth = 0;
	s->off = 0;
	s->truncated = 0;
	/* Mount crossings take steps too, hence twice the depth. */
	bpf_loop(LENS_PATH_DEPTH * 2, lens_walk_up, NULL, 0);
	bpf_loop(LENS_PATH_DEPTH, lens_walk_emit, NULL, 0);
	off = s->off;
	if (s->depth == 0) {
		s->buf[0] = '/';
		off = 1;
	}
	if (off > LENS_DIR_LEN - 1) {
		s->truncated = 1;
		off = LENS_DIR_LEN - 1;
	}
	s->buf[off & (LENS_DIR_LEN - 1)] = '\0';
	bpf_probe_read_kernel(out, LENS_DIR_LEN, s->buf);
	return s->truncated;
}

/*
 * The directory a path relative to dirfd is resolved against, written to
 * out[LENS_DIR_LEN]: cwd for AT_FDCWD, else the open file dirfd. Returns 0,
 * 1 when truncated, or -1 (out is "" then: bad fd, not resolvable).
 */
static __always_inline int lens_resolve_dir(int dirfd, char *out)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct dentry *root_d = BPF_CORE_READ(fs, root.dentry);
	struct vfsmount *root_mnt = BPF_CORE_READ(fs, root.mnt);
	struct dentry *d;
	struct vfsmount *m;

	out[0] = '\0';
	if (dirfd == AT_FDCWD) {
		d = BPF_CORE_READ(fs, pwd.dentry);
		m = BPF_CORE_READ(fs, pwd.mnt);
	} else {
		struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
		struct file **fds = BPF_CORE_READ(fdt, fd);
		struct file *f = NULL;

		if (dirfd < 0 || dirfd >= BPF_CORE_READ(fdt, max_fds))
			return -1;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[dirfd]);
		if (!f)
			return -1;
		d = BPF_CORE_READ(f, f_path.dentry);
		m = BPF_CORE_READ(f, f_path.mnt);
	}
	if (!d || !m)
		return -1;
	return lens_dentry_path(d, m, root_d, root_mnt, out);
}

#endif /* LENS_PATH_BPF_H */
