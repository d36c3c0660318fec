// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * File events: the open family (LENS_OPEN) and namespace/attribute changes
 * (LENS_FSOP: unlink, rmdir, rename, mkdir, chmod, chown, truncate, link,
 * symlink, chdir) of tracked processes.
 *
 * Each syscall has a sys_enter tracepoint that stashes the raw arguments per
 * task (tracked processes only) and a sys_exit tracepoint that reads the
 * user strings, resolves the directory of relative paths and emits one record
 * with the result. Paths are read at exit: the kernel has just faulted them in.
 * Tracepoints of syscalls an architecture lacks (open, creat, mkdir... on
 * arm64) are switched off by the loader before load.
 *
 * Every exit program carries its own copy of the path walk, which makes this
 * module the slowest to verify. Moving the emitters behind a prog-array tail
 * call cut that tenfold but leaked the prog array on kernel 6.18 whenever a
 * map was opened by id (bpftool map show) while the module was torn down.
 */
#include "common.bpf.h"
#include "path.bpf.h"

#define AT_REMOVEDIR_VAL 0x200
/* O_WRONLY | O_CREAT | O_TRUNC: what creat(2) means, identical on x86 and arm64. */
#define CREAT_FLAGS (01 | 0100 | 01000)

/* Which syscall a stash belongs to: decides how its arguments are read. */
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

struct file_args {
	__u64 args[6];
	__u32 nr;
	__u32 call;           /* enum file_call; 0 once consumed */
};

/* Arguments saved at sys_enter, per task, until the matching sys_exit. */
LENS_TASK_STASH(lens_file_args, struct file_args);

/* Reads a user path into a LENS_PATH_LEN buffer; LENS_F_TRUNCATED when it did not fit. */
static __always_inline __u16 read_user_path(char *dst, __u64 src)
{
	long n;
	char next = 0;

	dst[0] = '\0';
	if (!src)
		return 0;
	n = bpf_probe_read_user_str(dst, LENS_PATH_LEN, (const void *)src);
	if (n < 0) {
		dst[0] = '\0';
		return 0;
	}
	if (n < LENS_PATH_LEN)
		return 0;
	if (bpf_probe_read_user(&next, 1, (const void *)(src + LENS_PATH_LEN - 1)) == 0 && next)
		return LENS_F_TRUNCATED;
	return 0;
}

static __always_inline int file_enter(struct trace_event_raw_sys_enter *ctx, __u32 call,
				      const int nargs)
{
	__u32 kind = call <= FC_OPEN_LAST ? LENS_OPEN : LENS_FSOP;
	struct file_args *a;

	if (!lens_want(kind) || !lens_is_tracked())
		return 0;
	a = lens_stash_get(&lens_file_args, true);
	if (!a) {
		lens_count_drop(kind);
		return 0;
	}
	a->nr = (__u32)ctx->id;
	a->call = call;
	/*
	 * Only the syscall's own arguments: a tracepoint whose record is shorter
	 * than the highest ctx offset read refuses the program (EACCES at attach).
	 * nargs is a constant per program, so the unused loads vanish.
	 */
	a->args[0] = ctx->args[0];
	if (nargs > 1)
		a->args[1] = ctx->args[1];
	if (nargs > 2)
		a->args[2] = ctx->args[2];
	if (nargs > 3)
		a->args[3] = ctx->args[3];
	if (nargs > 4)
		a->args[4] = ctx->args[4];
	if (nargs > 5)
		a->args[5] = ctx->args[5];
	return 0;
}

static __always_inline void emit_open(const struct file_args *a, long ret)
{
	struct lens_open_event *e;
	struct open_how how = {};
	__u64 path;
	__s32 dirfd = AT_FDCWD;
	__u32 flags, mode;

	switch (a->call) {
	case FC_OPEN:
		path = a->args[0];
		flags = a->args[1];
		mode = a->args[2];
		break;
	case FC_OPENAT:
		dirfd = a->args[0];
		path = a->args[1];
		flags = a->args[2];
		mode = a->args[3];
		break;
	case FC_OPENAT2:
		dirfd = a->args[0];
		path = a->args[1];
		bpf_probe_read_user(&how, sizeof(how), (const void *)a->args[2]);
		flags = how.flags;
		mode = how.mode;
		break;
	default: /* FC_CREAT */
		path = a->args[0];
		flags = CREAT_FLAGS;
		mode = a->args[1];
		break;
	}

	e = lens_reserve(LENS_OPEN, sizeof(*e));
	if (!e)
		return;
	lens_fill_hdr(&e->h, LENS_OPEN, sizeof(*e));
	e->ret = ret;
	e->dirfd = dirfd;
	e->flags = flags;
	e->mode = mode;
	e->syscall_nr = a->nr;
	e->_pad = 0;
	e->h.flags |= read_user_path(e->path, path);
	e->dir[0] = '\0';
	if (e->path[0] != '/' && e->path[0] != '\0')
		lens_resolve_dir(dirfd, e->dir);
	lens_submit(e);
}

static __always_inline void emit_fsop(const struct file_args *a, long ret)
{
	struct lens_fsop_event *e;
	__u64 path = 0, path2 = 0, arg = 0;
	__s32 dirfd = AT_FDCWD, newdirfd = AT_FDCWD;
	__u32 op;
	bool by_fd = false;

	switch (a->call) {
	case FC_UNLINK:
		op = LENS_FSOP_UNLINK;
		path = a->args[0];
		break;
	case FC_UNLINKAT:
		op = (a->args[2] & AT_REMOVEDIR_VAL) ? LENS_FSOP_RMDIR : LENS_FSOP_UNLINK;
		dirfd = a->args[0];
		path = a->args[1];
		arg = (__u32)a->args[2];
		break;
	case FC_RMDIR:
		op = LENS_FSOP_RMDIR;
		path = a->args[0];
		break;
	case FC_RENAME:
		op = LENS_FSOP_RENAME;
		path = a->args[0];
		path2 = a->args[1];
		break;
	case FC_RENAMEAT:
	case FC_RENAMEAT2:
		op = LENS_FSOP_RENAME;
		dirfd = a->args[0];
		path = a->args[1];
		newdirfd = a->args[2];
		path2 = a->args[3];
		if (a->call == FC_RENAMEAT2)
			arg = (__u32)a->args[4];
		break;
	case FC_MKDIR:
		op = LENS_FSOP_MKDIR;
		path = a->args[0];
		arg = (__u32)a->args[1];
		break;
	case FC_MKDIRAT:
		op = LENS_FSOP_MKDIR;
		dirfd = a->args[0];
		path = a->args[1];
		arg = (__u32)a->args[2];
		break;
	case FC_CHMOD:
		op = LENS_FSOP_CHMOD;
		path = a->args[0];
		arg = (__u32)a->args[1];
		break;
	case FC_FCHMOD:
		op = LENS_FSOP_CHMOD;
		dirfd = a->args[0];
		by_fd = true;
		arg = (__u32)a->args[1];
		break;
	case FC_FCHMODAT:
	case FC_FCHMODAT2:
		op = LENS_FSOP_CHMOD;
		dirfd = a->args[0];
		path = a->args[1];
		arg = (__u32)a->args[2];
		if (a->call == FC_FCHMODAT2)
			arg |= (__u64)(__u32)a->args[3] << 32;
		break;
	case FC_CHOWN:
	case FC_LCHOWN:
		op = LENS_FSOP_CHOWN;
		path = a->args[0];
		arg = (__u64)(__u32)a->args[1] << 32 | (__u32)a->args[2];
		break;
	case FC_FCHOWN:
		op = LENS_FSOP_CHOWN;
		dirfd = a->args[0];
		by_fd = true;
		arg = (__u64)(__u32)a->args[1] << 32 | (__u32)a->args[2];
		break;
	case FC_FCHOWNAT:
		op = LENS_FSOP_CHOWN;
		dirfd = a->args[0];
		path = a->args[1];
		arg = (__u64)(__u32)a->args[2] << 32 | (__u32)a->args[3];
		break;
	case FC_TRUNCATE:
		op = LENS_FSOP_TRUNCATE;
		path = a->args[0];
		arg = a->args[1];
		break;
	case FC_FTRUNCATE:
		op = LENS_FSOP_TRUNCATE;
		dirfd = a->args[0];
		by_fd = true;
		arg = a->args[1];
		break;
	case FC_LINK:
		op = LENS_FSOP_LINK;
		path = a->args[0];
		path2 = a->args[1];
		break;
	case FC_LINKAT:
		op = LENS_FSOP_LINK;
		dirfd = a->args[0];
		path = a->args[1];
		newdirfd = a->args[2];
		path2 = a->args[3];
		arg = (__u32)a->args[4];
		break;
	case FC_SYMLINK:
		/* path: the link created; path2: its target, stored as given. */
		op = LENS_FSOP_SYMLINK;
		path2 = a->args[0];
		path = a->args[1];
		break;
	case FC_SYMLINKAT:
		op = LENS_FSOP_SYMLINK;
		path2 = a->args[0];
		dirfd = a->args[1];
		path = a->args[2];
		break;
	case FC_CHDIR:
		op = LENS_FSOP_CHDIR;
		path = a->args[0];
		break;
	default: /* FC_FCHDIR */
		op = LENS_FSOP_CHDIR;
		dirfd = a->args[0];
		by_fd = true;
		break;
	}
	if (op == LENS_FSOP_RENAME || op == LENS_FSOP_LINK)
		arg |= (__u64)(__u32)newdirfd << 32;

	e = lens_reserve(LENS_FSOP, sizeof(*e));
	if (!e)
		return;
	lens_fill_hdr(&e->h, LENS_FSOP, sizeof(*e));
	e->ret = ret;
	e->op = op;
	e->syscall_nr = a->nr;
	e->dirfd = dirfd;
	e->arg = arg;
	e->h.flags |= read_user_path(e->path, path);
	e->h.flags |= read_user_path(e->path2, path2);
	e->dir[0] = '\0';
	/*
	 * dir is always the directory dirfd names: filled for a relative path, for
	 * a relative second path in the same directory, and for fd-based calls
	 * (then it is the path of the fd itself).
	 */
	if (by_fd ||
	    (e->path[0] != '/' && e->path[0] != '\0') ||
	    (op != LENS_FSOP_SYMLINK && newdirfd == dirfd && e->path2[0] != '/' && e->path2[0] != '\0'))
		lens_resolve_dir(dirfd, e->dir);
	lens_submit(e);
}

static __always_inline int file_exit(struct trace_event_raw_sys_exit *ctx, bool open)
{
	struct file_args *a;

	if (!lens_is_tracked())
		return 0;
	a = lens_stash_get(&lens_file_args, false);
	if (!a || !a->call)
		return 0;
	if (a->nr != (__u32)ctx->id) {
		a->call = 0;   /* a stale stash: its exit never came */
		return 0;
	}
	if (open)
		emit_open(a, ctx->ret);
	else
		emit_fsop(a, ctx->ret);
	a->call = 0;
	return 0;
}

/* One enter/exit program pair per syscall (lens_e<name>, lens_x<name>); nargs: its arguments. */
#define FILE_SYSCALL(name, call, nargs)						\
SEC("tracepoint/syscalls/sys_enter_" #name)					\
int lens_e##name(struct trace_event_raw_sys_enter *ctx)				\
{										\
	return file_enter(ctx, call, nargs);						\
}										\
SEC("tracepoint/syscalls/sys_exit_" #name)					\
int lens_x##name(struct trace_event_raw_sys_exit *ctx)				\
{										\
	return file_exit(ctx, call <= FC_OPEN_LAST);				\
}

FILE_SYSCALL(open, FC_OPEN, 3)
FILE_SYSCALL(openat, FC_OPENAT, 4)
FILE_SYSCALL(openat2, FC_OPENAT2, 4)
FILE_SYSCALL(creat, FC_CREAT, 2)
FILE_SYSCALL(unlink, FC_UNLINK, 1)
FILE_SYSCALL(unlinkat, FC_UNLINKAT, 3)
FILE_SYSCALL(rmdir, FC_RMDIR, 1)
FILE_SYSCALL(rename, FC_RENAME, 2)
FILE_SYSCALL(renameat, FC_RENAMEAT, 4)
FILE_SYSCALL(renameat2, FC_RENAMEAT2, 5)
FILE_SYSCALL(mkdir, FC_MKDIR, 2)
FILE_SYSCALL(mkdirat, FC_MKDIRAT, 3)
FILE_SYSCALL(chmod, FC_CHMOD, 2)
FILE_SYSCALL(fchmod, FC_FCHMOD, 2)
FILE_SYSCALL(fchmodat, FC_FCHMODAT, 3)
FILE_SYSCALL(fchmodat2, FC_FCHMODAT2, 4)
FILE_SYSCALL(chown, FC_CHOWN, 3)
FILE_SYSCALL(lchown, FC_LCHOWN, 3)
FILE_SYSCALL(fchown, FC_FCHOWN, 3)
FILE_SYSCALL(fchownat, FC_FCHOWNAT, 5)
FILE_SYSCALL(truncate, FC_TRUNCATE, 2)
FILE_SYSCALL(ftruncate, FC_FTRUNCATE, 2)
FILE_SYSCALL(link, FC_LINK, 2)
FILE_SYSCALL(linkat, FC_LINKAT, 5)
FILE_SYSCALL(symlink, FC_SYMLINK, 2)
FILE_SYSCALL(symlinkat, FC_SYMLINKAT, 3)
FILE_SYSCALL(chdir, FC_CHDIR, 1)
FILE_SYSCALL(fchdir, FC_FCHDIR, 1)
