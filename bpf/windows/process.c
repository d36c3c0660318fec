/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process create and exit (ntosebpfext's process hook). A process whose
 * parent is traced joins the traced tree and gives a LENS_FORK (the parent's)
 * then a LENS_EXEC (the child's: image path as filename, command line as the
 * one argument); a traced process's end gives a LENS_EXIT and leaves the tree.
 * The process key's start_ns is the creation time in ns since the Unix epoch.
 */
#include "lens_maps.h"

#define LENS_WIN_IMAGE_MAX 1024   /* image path bytes kept */
#define LENS_WIN_CMD_UNITS 1024   /* UTF-16 code units of the command line read */
#define LENS_WIN_CMD_BYTES (LENS_WIN_SCRATCH_BYTES - sizeof(struct lens_exec_event) - LENS_WIN_IMAGE_MAX)

LENS_INLINE __u64 lens_start_ns(struct lens_win_process_md *ctx)
{
	return ctx->creation_time > LENS_WIN_FILETIME_UNIX_EPOCH ? (ctx->creation_time - LENS_WIN_FILETIME_UNIX_EPOCH) * 100 : 0;
}

/* UTF-16LE command line to UTF-8 at out (NUL-terminated); returns bytes written with the NUL */
LENS_INLINE __u32 lens_command_line(struct lens_win_process_md *ctx, __u8 *out, __u16 *flags)
{
	__u8 *p = ctx->command_start;
	__u32 n = 0;
	for (__u32 i = 0; i < LENS_WIN_CMD_UNITS; i++) {
		if (p + 2 > ctx->command_end)
			break;
		__u16 u = p[0] | (p[1] << 8);
		p += 2;
		if (u == 0)
			break;
		if (n + 4 > LENS_WIN_CMD_BYTES) {
			*flags |= LENS_F_TRUNCATED;
			break;
		}
		if (u < 0x80) {
			out[n++] = u;
		} else if (u < 0x800) {
			out[n++] = 0xc0 | (u >> 6);
			out[n++] = 0x80 | (u & 0x3f);
		} else {  /* surrogate halves are encoded one by one (as CESU-8) */
			out[n++] = 0xe0 | (u >> 12);
			out[n++] = 0x80 | ((u >> 6) & 0x3f);
			out[n++] = 0x80 | (u & 0x3f);
		}
	}
	out[n++] = 0;
	return n;
}

/* comm: the image's file name, cut to LENS_COMM_LEN - 1 bytes */
LENS_INLINE void lens_comm_from_path(char *comm, const __u8 *path, __u32 len)
{
	__u32 base = 0;
	for (__u32 i = 0; i < LENS_WIN_IMAGE_MAX && i < len; i++)
		if (path[i] == '\\' || path[i] == '/')
			base = i + 1;
	for (__u32 i = 0; i < LENS_COMM_LEN - 1; i++) {
		__u32 j = base + i;
		comm[i] = j < len && j < LENS_WIN_IMAGE_MAX ? path[j] : 0;
	}
	comm[LENS_COMM_LEN - 1] = 0;
}

LENS_INLINE int lens_process_create(struct lens_win_process_md *ctx)
{
	__u32 pid = ctx->process_id, ppid = ctx->parent_process_id, zero = 0;
	struct lens_tracked_val *parent = lens_traced(ppid);
	if (!parent)
		return 0;
	__u64 start_ns = lens_start_ns(ctx);
	struct lens_tracked_val child = { .start_ns = start_ns, .parent = ppid };
	bpf_map_update_elem(&lens_tracked, &pid, &child, LENS_WIN_ANY);

	struct lens_fork_event fork = {};
	lens_fill_hdr(&fork.h, LENS_FORK, sizeof(fork), ppid, ctx->creating_thread_id, 0, parent->start_ns);
	fork.child_pid = pid;
	fork.child_tid = pid;
	fork.child_start_ns = start_ns;
	lens_emit(&fork, sizeof(fork), LENS_FORK);

	struct lens_win_scratch *s = bpf_map_lookup_elem(&lens_scratch, &zero);
	if (!s)
		return 0;
	struct lens_exec_event *e = (struct lens_exec_event *)s->buf;
	__u8 *image = (__u8 *)e->names;
	int image_len = bpf_process_get_image_path(ctx, image, LENS_WIN_IMAGE_MAX - 1);
	__u32 ilen = image_len > 0 && image_len < LENS_WIN_IMAGE_MAX ? image_len : 0;
	image[ilen] = 0;
	ilen++;
	e->h.flags = 0;
	__u16 flags = 0;
	__u32 clen = lens_command_line(ctx, image + LENS_WIN_IMAGE_MAX, &flags);
	/* the command line goes right after the image path */
	for (__u32 i = 0; i < LENS_WIN_CMD_BYTES && i < clen; i++)
		image[ilen + i] = image[LENS_WIN_IMAGE_MAX + i];
	__u32 size = sizeof(*e) + ilen + clen;
	lens_fill_hdr(&e->h, LENS_EXEC, size, pid, pid, ppid, start_ns);
	e->h.flags = flags;
	lens_comm_from_path(e->h.comm, image, ilen);
	e->ret = 0;
	e->argc = 1;
	e->filename_len = ilen;
	e->cwd_len = 0;
	e->argv_len = clen;
	e->env_len = 0;  /* a new process's environment is not read on Windows */
	if (size <= LENS_WIN_SCRATCH_BYTES)
		lens_emit(e, size, LENS_EXEC);
	return 0;
}

LENS_INLINE int lens_process_delete(struct lens_win_process_md *ctx)
{
	__u32 pid = ctx->process_id;
	struct lens_tracked_val *t = lens_traced(pid);
	if (!t)
		return 0;
	struct lens_exit_event e = {};
	lens_fill_hdr(&e.h, LENS_EXIT, sizeof(e), pid, pid, t->parent, t->start_ns);
	e.exit_code = ctx->process_exit_code;
	lens_emit(&e, sizeof(e), LENS_EXIT);
	bpf_map_delete_elem(&lens_tracked, &pid);
	return 0;
}

SEC("process")
int lens_process(struct lens_win_process_md *ctx)
{
	if (ctx->operation == LENS_WIN_PROCESS_CREATE)
		return lens_process_create(ctx);
	return lens_process_delete(ctx);
}
