/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Absolute directory of a relative path: the cwd for AT_FDCWD, else the
 * path of the open directory dirfd. A bounded dentry walk that crosses
 * mounts (mount->mnt_parent / mnt_mountpoint) up to the task's root, with
 * CO-RE reads only, whole up to PATH_MAX. Cold path (exec, relative opens):
 * clarity over speed.
 */
#ifndef LENS_PATH_BPF_H
#define LENS_PATH_BPF_H

#include "common.bpf.h"
#include "names.bpf.h"

/*
 * Per-CPU state of one walk. It lives in a map value, not on the stack: the
 * verifier then sees every bpf_loop iteration as the same state and checks
 * the callback once instead of once per iteration. The path is written
 * backwards, innermost component first, ending at buf[LENS_PATH_MAX - 1]
 * (its NUL); it starts at buf[off].
 */
struct lens_path_scratch {
	char buf[LENS_PATH_MAX * 2];  /* twice the path: every bounded write fits */
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *root_d;
	struct vfsmount *root_mnt;
	__u32 off;
	__u32 truncated;  /* the next component did not fit in LENS_PATH_MAX */
	__u32 done;       /* the walk reached the root */
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

/* One step up: prepends "/name" and goes to the parent, or crosses a mount to its mountpoint. */
static long lens_walk_up(__u32 i, void *unused)
{
	struct lens_path_scratch *s = lens_path_scratch();
	const unsigned char *name;
	struct dentry *dentry, *up;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 off, len;

	if (!s)
		return 1;
	dentry = s->dentry;
	vfsmnt = s->vfsmnt;
	if (dentry == s->root_d && vfsmnt == s->root_mnt) {
		s->done = 1;
		return 1;
	}
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *parent;

		mnt = lens_real_mount(vfsmnt);
		parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt) {
			s->done = 1;
			return 1;
		}
		s->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		s->vfsmnt = (struct vfsmount *)((void *)parent +
						bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	up = BPF_CORE_READ(dentry, d_parent);
	if (up == dentry) {
		s->done = 1;
		return 1;
	}
	name = BPF_CORE_READ(dentry, d_name.name);
	len = BPF_CORE_READ(dentry, d_name.len);
	off = s->off;
	if (len + 1 > off) {
		s->truncated = 1;
		return 1;
	}
	off -= len;
	bpf_probe_read_kernel(&s->buf[off & (LENS_PATH_MAX - 1)], len & (LENS_PATH_MAX - 1), name);
	off--;
	s->buf[off & (LENS_PATH_MAX - 1)] = '/';
	s->off = off;
	s->dentry = up;
	return 0;
}

/*
 * Walks (dentry, vfsmnt) up to (root_d, root_mnt) into the path scratch.
 * Returns it (the path at buf[off], LENS_PATH_MAX - off bytes with the NUL),
 * or NULL when the path does not fit in LENS_PATH_MAX.
 */
static __always_inline struct lens_path_scratch *
lens_dentry_path(struct dentry *dentry, struct vfsmount *vfsmnt, struct dentry *root_d,
		 struct vfsmount *root_mnt)
{
	struct lens_path_scratch *s = lens_path_scratch();

	if (!s)
		return NULL;
	s->dentry = dentry;
	s->vfsmnt = vfsmnt;
	s->root_d = root_d;
	s->root_mnt = root_mnt;
	s->off = LENS_PATH_MAX - 1;
	s->truncated = 0;
	s->done = 0;
	s->buf[LENS_PATH_MAX - 1] = '\0';
	/* Each component takes at least 2 bytes ("/x"); mount crossings take steps too. */
	bpf_loop(LENS_PATH_MAX, lens_walk_up, NULL, 0);
	if (s->truncated || !s->done)
		return NULL;
	if (s->off == LENS_PATH_MAX - 1) {
		s->off = LENS_PATH_MAX - 2;
		s->buf[LENS_PATH_MAX - 2] = '/';
	}
	return s;
}

/*
 * Appends the directory a path relative to dirfd is resolved against (the
 * cwd for AT_FDCWD, else the open file dirfd) at rec[off], NUL-terminated.
 * Returns its bytes with the NUL, or 0 when it cannot be given whole: a bad
 * fd, or longer than PATH_MAX (then LENS_F_TRUNCATED joins *flags).
 */
static __always_inline __u32 lens_put_dir(char *rec, __u32 off, int dirfd, __u16 *flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct dentry *root_d = BPF_CORE_READ(fs, root.dentry);
	struct vfsmount *root_mnt = BPF_CORE_READ(fs, root.mnt);
	struct lens_path_scratch *s;
	struct dentry *d;
	struct vfsmount *m;
	__u32 n;

	if (dirfd == AT_FDCWD) {
		d = BPF_CORE_READ(fs, pwd.dentry);
		m = BPF_CORE_READ(fs, pwd.mnt);
	} else {
		struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
		struct file **fds = BPF_CORE_READ(fdt, fd);
		struct file *f = NULL;

		if (dirfd < 0 || dirfd >= BPF_CORE_READ(fdt, max_fds))
			return 0;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[dirfd]);
		if (!f)
			return 0;
		d = BPF_CORE_READ(f, f_path.dentry);
		m = BPF_CORE_READ(f, f_path.mnt);
	}
	if (!d || !m)
		return 0;
	s = lens_dentry_path(d, m, root_d, root_mnt);
	if (!s) {
		*flags |= LENS_F_TRUNCATED;
		return 0;
	}
	n = LENS_PATH_MAX - s->off;
	return lens_put_kernel(rec, off, &s->buf[s->off & (LENS_PATH_MAX - 1)], n);
}

#endif /* LENS_PATH_BPF_H */
