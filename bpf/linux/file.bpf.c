// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File events: the open family (LENS_OPEN) and namespace/attribute changes
 * (LENS_UNLINK..LENS_CHDIR: unlink, rmdir, rename, mkdir, chmod, chown,
 * truncate, link, symlink, chdir, each its own kind) of tracked processes.
 *
 * Each syscall has one sys_exit tracepoint program: at exit the arguments
 * are still in the saved user registers, so no enter hook and no stash are
 * needed. It reads the user strings, resolves the directory of relative
 * paths and emits one record with the result, as long as its names (up to
 * PATH_MAX each: names.bpf.h). Paths are read at exit: the
 * kernel has just faulted them in. Tracepoints of syscalls an architecture
 * lacks (open, creat, mkdir... on arm64) are switched off by the loader
 * before load.
 *
 * Each program knows its syscall at compile time, so the verifier walks
 * only that syscall's branch of the emitter.
 */
#include "common.bpf.h"
#include "path.bpf.h"
#include "stack.bpf.h"

#define AT_REMOVEDIR_VAL 0x200
/* O_WRONLY | O_CREAT | O_TRUNC: what creat(2) means, identical on x86 and arm64. */
#define CREAT_FLAGS (01 | 0100 | 01000)

/* Which syscall an exit program handles: decides how its arguments are read. */
enum file_call {
	FC_OPEN = 1,
	FC_OPENAT,
	FC_OPENAT2,
	FC_CREAT,
	FC_OPEN_LAST = FC_CREAT,
	FC_UNLINK,
	FC_UNLINKAT,
	FC_RMDIR,
	FC_RENAME,
	FC_RENAMEAT,
	FC_RENAMEAT2,
	FC_MKDIR,
	FC_MKDIRAT,
	FC_CHMOD,
	FC_FCHMOD,
	FC_FCHMODAT,
	FC_FCHMODAT2,
	FC_CHOWN,
	FC_LCHOWN,
	FC_FCHOWN,
	FC_FCHOWNAT,
	FC_TRUNCATE,
	FC_FTRUNCATE,
	FC_LINK,
	FC_LINKAT,
	FC_SYMLINK,
	FC_SYMLINKAT,
	FC_CHDIR,
	FC_FCHDIR,
};

static __always_inline void emit_open(const __u64 *args, __u32 call, __u32 nr, long ret)
{
	struct lens_open_event *e;
	struct open_how how = {};
	char *rec;
	__u32 off;
	__u64 path;
	__s32 dirfd = AT_FDCWD;
	__u32 flags, mode;

	switch (call) {
	case FC_OPEN:
		path = args[0];
		flags = args[1];
		mode = args[2];
		break;
	case FC_OPENAT:
		dirfd = args[0];
		path = args[1];
		flags = args[2];
		mode = args[3];
		break;
	case FC_OPENAT2:
		dirfd = args[0];
		path = args[1];
		bpf_probe_read_user(&how, sizeof(how), (const void *)args[2]);
		flags = how.flags;
		mode = how.mode;
		break;
	default: /* FC_CREAT */
		path = args[0];
		flags = CREAT_FLAGS;
		mode = args[1];
		break;
	}

	rec = lens_rec_buf();
	if (!rec)
		return;
	e = (struct lens_open_event *)rec;
	lens_fill_hdr(&e->h, LENS_OPEN, 0);
	e->ret = ret;
	e->dirfd = dirfd;
	e->flags = flags;
	e->mode = mode;
	e->syscall_nr = nr;
	off = sizeof(*e);
	e->path_len = lens_put_user_path(rec, off, path, &e->h.flags);
	e->dir_len = 0;
	if (e->path_len > 1 && rec[off] != '/')
		e->dir_len = lens_put_dir(rec, off + e->path_len, dirfd, &e->h.flags);
	lens_emit(rec, off + e->path_len + e->dir_len);
}

static __always_inline void emit_fsop(const __u64 *args, __u32 call, __u32 nr, long ret)
{
	struct lens_fsop_event *e;
	__u64 path = 0, path2 = 0, arg = 0;
	char *rec;
	__u32 off, off2;
	__s32 dirfd = AT_FDCWD, newdirfd = AT_FDCWD;
	__u32 kind;
	bool by_fd = false;

	switch (call) {
	case FC_UNLINK:
		kind = LENS_UNLINK;
		path = args[0];
		break;
	case FC_UNLINKAT:
		kind = (args[2] & AT_REMOVEDIR_VAL) ? LENS_RMDIR : LENS_UNLINK;
		dirfd = args[0];
		path = args[1];
		arg = (__u32)args[2];
		break;
	case FC_RMDIR:
		kind = LENS_RMDIR;
		path = args[0];
		break;
	case FC_RENAME:
		kind = LENS_RENAME;
		path = args[0];
		path2 = args[1];
		break;
	case FC_RENAMEAT:
	case FC_RENAMEAT2:
		kind = LENS_RENAME;
		dirfd = args[0];
		path = args[1];
		newdirfd = args[2];
		path2 = args[3];
		if (call == FC_RENAMEAT2)
			arg = (__u32)args[4];
		break;
	case FC_MKDIR:
		kind = LENS_MKDIR;
		path = args[0];
		arg = (__u32)args[1];
		break;
	case FC_MKDIRAT:
		kind = LENS_MKDIR;
		dirfd = args[0];
		path = args[1];
		arg = (__u32)args[2];
		break;
	case FC_CHMOD:
		kind = LENS_CHMOD;
		path = args[0];
		arg = (__u32)args[1];
		break;
	case FC_FCHMOD:
		kind = LENS_CHMOD;
		dirfd = args[0];
		by_fd = true;
		arg = (__u32)args[1];
		break;
	case FC_FCHMODAT:
	case FC_FCHMODAT2:
		kind = LENS_CHMOD;
		dirfd = args[0];
		path = args[1];
		arg = (__u32)args[2];
		if (call == FC_FCHMODAT2)
			arg |= (__u64)(__u32)args[3] << 32;
		break;
	case FC_CHOWN:
	case FC_LCHOWN:
		kind = LENS_CHOWN;
		path = args[0];
		arg = (__u64)(__u32)args[1] << 32 | (__u32)args[2];
		break;
	case FC_FCHOWN:
		kind = LENS_CHOWN;
		dirfd = args[0];
		by_fd = true;
		arg = (__u64)(__u32)args[1] << 32 | (__u32)args[2];
		break;
	case FC_FCHOWNAT:
		kind = LENS_CHOWN;
		dirfd = args[0];
		path = args[1];
		arg = (__u64)(__u32)args[2] << 32 | (__u32)args[3];
		break;
	case FC_TRUNCATE:
		kind = LENS_TRUNCATE;
		path = args[0];
		arg = args[1];
		break;
	case FC_FTRUNCATE:
		kind = LENS_TRUNCATE;
		dirfd = args[0];
		by_fd = true;
		arg = args[1];
		break;
	case FC_LINK:
		kind = LENS_LINK;
		path = args[0];
		path2 = args[1];
		break;
	case FC_LINKAT:
		kind = LENS_LINK;
		dirfd = args[0];
		path = args[1];
		newdirfd = args[2];
		path2 = args[3];
		arg = (__u32)args[4];
		break;
	case FC_SYMLINK:
		/* path: the link created; path2: its target, stored as given. */
		kind = LENS_SYMLINK;
		path2 = args[0];
		path = args[1];
		break;
	case FC_SYMLINKAT:
		kind = LENS_SYMLINK;
		path2 = args[0];
		dirfd = args[1];
		path = args[2];
		break;
	case FC_CHDIR:
		kind = LENS_CHDIR;
		path = args[0];
		break;
	default: /* FC_FCHDIR */
		kind = LENS_CHDIR;
		dirfd = args[0];
		by_fd = true;
		break;
	}
	if (kind == LENS_RENAME || kind == LENS_LINK)
		arg |= (__u64)(__u32)newdirfd << 32;

	rec = lens_rec_buf();
	if (!rec)
		return;
	e = (struct lens_fsop_event *)rec;
	lens_fill_hdr(&e->h, kind, 0);
	e->ret = ret;
	e->syscall_nr = nr;
	e->dirfd = dirfd;
	e->_pad0 = 0;
	e->arg = arg;
	e->_pad = 0;
	off = sizeof(*e);
	e->path_len = lens_put_user_path(rec, off, path, &e->h.flags);
	off2 = off + e->path_len;
	e->path2_len = lens_put_user_path(rec, off2, path2, &e->h.flags);
	e->dir_len = 0;
	/*
	 * dir is always the directory dirfd names: filled for a relative path, for
	 * a relative second path in the same directory, and for fd-based calls
	 * (then it is the path of the fd itself).
	 */
	if (by_fd ||
	    (e->path_len > 1 && rec[off] != '/') ||
	    (kind != LENS_SYMLINK && newdirfd == dirfd && e->path2_len > 1 &&
	     rec[off2 & LENS_REC_OFF_MASK] != '/'))
		e->dir_len = lens_put_dir(rec, off2 + e->path2_len, dirfd, &e->h.flags);
	lens_emit(rec, off2 + e->path2_len + e->dir_len);
}

static __always_inline int file_exit(struct trace_event_raw_sys_exit *ctx, __u32 call)
{
	__u64 args[6];

	if (!(lens_cfg.kinds_mask & (call <= FC_OPEN_LAST ? 1u << LENS_OPEN : LENS_FSOP_KINDS)) ||
	    !lens_is_tracked())
		return 0;
	lens_exit_args(args);
	if (call <= FC_OPEN_LAST)
		emit_open(args, call, ctx->id, ctx->ret);
	else
		emit_fsop(args, call, ctx->id, ctx->ret);
	return 0;
}

/* One sys_exit program per syscall (lens_x<name>). */
#define FILE_SYSCALL(name, call)						\
SEC("tracepoint/syscalls/sys_exit_" #name)					\
int lens_x##name(struct trace_event_raw_sys_exit *ctx)				\
{										\
	return file_exit(ctx, call);						\
}

FILE_SYSCALL(open, FC_OPEN)
FILE_SYSCALL(openat, FC_OPENAT)
FILE_SYSCALL(openat2, FC_OPENAT2)
FILE_SYSCALL(creat, FC_CREAT)
FILE_SYSCALL(unlink, FC_UNLINK)
FILE_SYSCALL(unlinkat, FC_UNLINKAT)
FILE_SYSCALL(rmdir, FC_RMDIR)
FILE_SYSCALL(rename, FC_RENAME)
FILE_SYSCALL(renameat, FC_RENAMEAT)
FILE_SYSCALL(renameat2, FC_RENAMEAT2)
FILE_SYSCALL(mkdir, FC_MKDIR)
FILE_SYSCALL(mkdirat, FC_MKDIRAT)
FILE_SYSCALL(chmod, FC_CHMOD)
FILE_SYSCALL(fchmod, FC_FCHMOD)
FILE_SYSCALL(fchmodat, FC_FCHMODAT)
FILE_SYSCALL(fchmodat2, FC_FCHMODAT2)
FILE_SYSCALL(chown, FC_CHOWN)
FILE_SYSCALL(lchown, FC_LCHOWN)
FILE_SYSCALL(fchown, FC_FCHOWN)
FILE_SYSCALL(fchownat, FC_FCHOWNAT)
FILE_SYSCALL(truncate, FC_TRUNCATE)
FILE_SYSCALL(ftruncate, FC_FTRUNCATE)
FILE_SYSCALL(link, FC_LINK)
FILE_SYSCALL(linkat, FC_LINKAT)
FILE_SYSCALL(symlink, FC_SYMLINK)
FILE_SYSCALL(symlinkat, FC_SYMLINKAT)
FILE_SYSCALL(chdir, FC_CHDIR)
FILE_SYSCALL(fchdir, FC_FCHDIR)
