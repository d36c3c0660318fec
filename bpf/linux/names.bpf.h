/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Variable-length records (exec, open, fsop: events.h): the record is built
 * in a per-CPU scratch buffer, its names appended back to back, and copied
 * to the ring buffer at its real size. A record costs the bytes of its
 * names, not LENS_PATH_MAX for each.
 */
#ifndef LENS_NAMES_BPF_H
#define LENS_NAMES_BPF_H

#include "common.bpf.h"

/* Names start below LENS_REC_OFF_MASK + 1 and are at most LENS_ARGV_LEN long. */
#define LENS_REC_OFF_MASK 16383
#define LENS_REC_SCRATCH (LENS_REC_OFF_MASK + 1 + LENS_ARGV_LEN)

struct lens_rec_scratch {
	char b[LENS_REC_SCRATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lens_rec_scratch);
} lens_rec_scr SEC(".maps");

/* This CPU's record buffer. */
static __always_inline char *lens_rec_buf(void)
{
	__u32 zero = 0;
	struct lens_rec_scratch *s = bpf_map_lookup_elem(&lens_rec_scr, &zero);

	return s ? s->b : NULL;
}

/*
 * Reads the user path src into dst (LENS_PATH_MAX bytes). Returns its bytes
 * with the NUL, 0 when absent or unreadable; LENS_F_TRUNCATED joins *flags
 * when the path is longer than PATH_MAX allows.
 */
static __always_inline __u32 lens_read_user_path(char *dst, __u64 src, __u16 *flags)
{
	long n;
	char next = 0;

	if (!src)
		return 0;
	n = bpf_probe_read_user_str(dst, LENS_PATH_MAX, (const void *)src);
	if (n <= 0)
		return 0;
	if (n == LENS_PATH_MAX &&
	    bpf_probe_read_user(&next, 1, (const void *)(src + LENS_PATH_MAX - 1)) == 0 && next)
		*flags |= LENS_F_TRUNCATED;
	return n;
}

/* Appends the user path src at rec[off]; returns its *_len (see lens_read_user_path). */
static __always_inline __u32 lens_put_user_path(char *rec, __u32 off, __u64 src, __u16 *flags)
{
	return lens_read_user_path(&rec[off & LENS_REC_OFF_MASK], src, flags);
}

/* Appends n bytes of kernel memory (a stash or scratch buffer) at rec[off]; returns n. */
static __always_inline __u32 lens_put_kernel(char *rec, __u32 off, const void *src, __u32 n)
{
	barrier_var(n);  /* the bound below must be checked on n itself, not on what n came from */
	if (n > LENS_ARGV_LEN)
		return 0;
	if (n)
		bpf_probe_read_kernel(&rec[off & LENS_REC_OFF_MASK], n, src);
	return n;
}

/*
 * Sends the record built in rec (size bytes, its header filled) to the
 * ring buffer; a full ring is counted as a drop of its kind.
 */
static __always_inline void lens_output(char *rec, __u32 size)
{
	struct lens_hdr *h = (struct lens_hdr *)rec;
	__u32 kind = h->kind;
	__u64 flags = BPF_RB_NO_WAKEUP;

	barrier_var(size);
	if (size > LENS_REC_SCRATCH) {
		lens_count_drop(kind);
		return;
	}
	h->size = size;
	if (bpf_ringbuf_query(&lens_events, BPF_RB_AVAIL_DATA) >= lens_cfg.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&lens_events, rec, size, flags))
		lens_count_drop(kind);
	else
		lens_count_submitted(kind);
}

#endif /* LENS_NAMES_BPF_H */
