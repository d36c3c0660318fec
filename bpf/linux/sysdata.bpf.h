/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the full syscall stream reads behind the arguments of the common
 * path- and address-taking syscalls (events.h, lens_syscall_event data
 * items): a table per architecture saying which arguments point to a path,
 * an execve argv or a sockaddr, and the readers that append them to a
 * record. They run at sys_exit, where the kernel has just faulted the
 * caller's strings in; a successful exec has replaced the caller's memory
 * by then, so its filename and argv come from the new image's stack, where
 * the kernel copied them.
 */
#ifndef LENS_SYSDATA_BPF_H
#define LENS_SYSDATA_BPF_H

#include "common.bpf.h"
#include "names.bpf.h"

#define LENS_SOCKADDR_MAX 128  /* sizeof(struct sockaddr_storage) */

#define S(i) (LENS_SYSDATA_STR << 4 | (i))
#define V(i) (LENS_SYSDATA_ARGV << 4 | (i))
#define K(i) (LENS_SYSDATA_SOCKADDR << 4 | (i))
#define D1(a) (a)
#define D2(a, b) ((a) | (b) << 8)

/* Per syscall number: data item 0 in the low byte, item 1 in the high byte (events.h). */
const volatile __u16 lens_sysdata_spec[LENS_SYSCALL_MAX] = {
#if defined(__TARGET_ARCH_x86)
	[2] = D1(S(0)),          /* open */
	[4] = D1(S(0)),          /* stat */
	[6] = D1(S(0)),          /* lstat */
	[21] = D1(S(0)),         /* access */
	[42] = D1(K(1)),         /* connect */
	[44] = D1(K(4)),         /* sendto */
	[49] = D1(K(1)),         /* bind */
	[59] = D2(S(0), V(1)),   /* execve */
	[76] = D1(S(0)),         /* truncate */
	[80] = D1(S(0)),         /* chdir */
	[82] = D2(S(0), S(1)),   /* rename */
	[83] = D1(S(0)),         /* mkdir */
	[84] = D1(S(0)),         /* rmdir */
	[85] = D1(S(0)),         /* creat */
	[86] = D2(S(0), S(1)),   /* link */
	[87] = D1(S(0)),         /* unlink */
	[88] = D2(S(0), S(1)),   /* symlink */
	[89] = D1(S(0)),         /* readlink */
	[90] = D1(S(0)),         /* chmod */
	[92] = D1(S(0)),         /* chown */
	[94] = D1(S(0)),         /* lchown */
	[133] = D1(S(0)),        /* mknod */
	[137] = D1(S(0)),        /* statfs */
	[161] = D1(S(0)),        /* chroot */
	[235] = D1(S(0)),        /* utimes */
	[257] = D1(S(1)),        /* openat */
	[258] = D1(S(1)),        /* mkdirat */
	[259] = D1(S(1)),        /* mknodat */
	[260] = D1(S(1)),        /* fchownat */
	[262] = D1(S(1)),        /* newfstatat */
	[263] = D1(S(1)),        /* unlinkat */
	[264] = D2(S(1), S(3)),  /* renameat */
	[265] = D2(S(1), S(3)),  /* linkat */
	[266] = D2(S(0), S(2)),  /* symlinkat */
	[267] = D1(S(1)),        /* readlinkat */
	[268] = D1(S(1)),        /* fchmodat */
	[269] = D1(S(1)),        /* faccessat */
	[280] = D1(S(1)),        /* utimensat */
	[316] = D2(S(1), S(3)),  /* renameat2 */
	[322] = D2(S(1), V(2)),  /* execveat */
	[332] = D1(S(1)),        /* statx */
#elif defined(__TARGET_ARCH_arm64)
	[33] = D1(S(1)),         /* mknodat */
	[34] = D1(S(1)),         /* mkdirat */
	[35] = D1(S(1)),         /* unlinkat */
	[36] = D2(S(0), S(2)),   /* symlinkat */
	[37] = D2(S(1), S(3)),   /* linkat */
	[38] = D2(S(1), S(3)),   /* renameat */
	[43] = D1(S(0)),         /* statfs */
	[45] = D1(S(0)),         /* truncate */
	[48] = D1(S(1)),         /* faccessat */
	[49] = D1(S(0)),         /* chdir */
	[51] = D1(S(0)),         /* chroot */
	[53] = D1(S(1)),         /* fchmodat */
	[54] = D1(S(1)),         /* fchownat */
	[56] = D1(S(1)),         /* openat */
	[78] = D1(S(1)),         /* readlinkat */
	[79] = D1(S(1)),         /* newfstatat */
	[88] = D1(S(1)),         /* utimensat */
	[200] = D1(K(1)),        /* bind */
	[203] = D1(K(1)),        /* connect */
	[206] = D1(K(4)),        /* sendto */
	[221] = D2(S(0), V(1)),  /* execve */
	[276] = D2(S(1), S(3)),  /* renameat2 */
	[281] = D2(S(1), V(2)),  /* execveat */
	[291] = D1(S(1)),        /* statx */
#else
#error "sysdata.bpf.h: add this architecture's path-taking syscalls"
#endif
	/* numbers from 451 up are the same on every architecture */
	[437] = D1(S(1)),        /* openat2 */
	[439] = D1(S(1)),        /* faccessat2 */
	[452] = D1(S(1)),        /* fchmodat2 */
};

#undef S
#undef V
#undef K
#undef D1
#undef D2

/* A failed execve's argv walk (its memory is still the caller's): state in a map value. */
struct lens_argv_state {
	__u64 argv;       /* user char ** */
	__u32 off;        /* where the next string goes in the record buffer */
	__u32 end;        /* off + LENS_ARGV_LEN */
	__u16 flags;
	__u16 _pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lens_argv_state);
} lens_argv_st SEC(".maps");

/* Appends argument i of the walk's argv; stops at its NULL or when the bytes run out. */
static long lens_argv_one(__u32 i, void *unused)
{
	__u32 zero = 0;
	struct lens_argv_state *st = bpf_map_lookup_elem(&lens_argv_st, &zero);
	char *rec = lens_rec_buf();
	const char *arg = NULL;
	__u32 off;
	long n;

	if (!st || !rec ||
	    bpf_probe_read_user(&arg, sizeof(arg), (const void *)(st->argv + i * sizeof(arg))) || !arg)
		return 1;
	off = st->off;
	if (off >= st->end) {
		st->flags |= LENS_F_TRUNCATED;
		return 1;
	}
	n = bpf_probe_read_user_str(&rec[off & LENS_REC_OFF_MASK], LENS_ARGV_LEN, arg);
	if (n <= 0)
		return 1;
	st->off = off + n;
	return 0;
}

/*
 * Appends the NUL-separated strings of an execve argv at rec[off]; returns
 * their bytes (at most LENS_ARGV_LEN). After a successful exec they are
 * read from the new image (mm->arg_start..arg_end), else through argv.
 */
static __always_inline __u32 lens_put_argv(char *rec, __u32 off, __u64 argv, bool exec_done,
					   __u16 *flags)
{
	struct lens_argv_state *st;
	__u32 zero = 0, n;

	if (exec_done) {
		struct mm_struct *mm = lens_current_task()->mm;
		__u64 start = mm->arg_start, end = mm->arg_end;

		n = end > start ? end - start : 0;
		if (n > LENS_ARGV_LEN) {
			n = LENS_ARGV_LEN;
			*flags |= LENS_F_TRUNCATED;
		}
		barrier_var(n);
		if (n > LENS_ARGV_LEN || !n ||
		    bpf_probe_read_user(&rec[off & LENS_REC_OFF_MASK], n, (const void *)start))
			return 0;
		rec[(off + n - 1) & LENS_REC_OFF_MASK] = '\0';
		return n;
	}
	st = bpf_map_lookup_elem(&lens_argv_st, &zero);
	if (!st || !argv)
		return 0;
	st->argv = argv;
	st->off = off;
	st->end = off + LENS_ARGV_LEN;
	st->flags = 0;
	bpf_loop(LENS_ARGV_MAX, lens_argv_one, NULL, 0);
	*flags |= st->flags;
	n = st->off - off;
	if (n > LENS_ARGV_LEN) {  /* the last string ran past the limit: cut it there */
		n = LENS_ARGV_LEN;
		*flags |= LENS_F_TRUNCATED;
		rec[(off + n - 1) & LENS_REC_OFF_MASK] = '\0';
	}
	return n;
}

/*
 * Appends data item spec (LENS_SYSDATA_* << 4 | argument) of a syscall with
 * arguments args at rec[off]; returns its bytes, 0 when it cannot be read.
 * exec_done: the call was an execve/execveat that succeeded.
 */
static __always_inline __u32 lens_put_sysdata(char *rec, __u32 off, __u8 spec, const __u64 *args,
					      bool exec_done, __u16 *flags)
{
	__u32 i = spec & LENS_SYSDATA_ARG_MASK;
	__u64 src, len;

	if (i > 4)
		return 0;
	src = args[i];
	switch (spec >> 4) {
	case LENS_SYSDATA_STR:
		/* the kernel put the exec'd filename right after the environment strings (AT_EXECFN) */
		if (exec_done)
			src = lens_current_task()->mm->env_end;
		return lens_put_user_path(rec, off, src, flags);
	case LENS_SYSDATA_ARGV:
		return lens_put_argv(rec, off, src, exec_done, flags);
	case LENS_SYSDATA_SOCKADDR:
		len = args[i + 1];
		if (len > LENS_SOCKADDR_MAX)
			len = LENS_SOCKADDR_MAX;
		barrier_var(len);
		if (!src || !len || len > LENS_SOCKADDR_MAX ||
		    bpf_probe_read_user(&rec[off & LENS_REC_OFF_MASK], len, (const void *)src))
			return 0;
		return len;
	}
	return 0;
}

#endif /* LENS_SYSDATA_BPF_H */
