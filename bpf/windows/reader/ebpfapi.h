/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The part of ebpfapi.dll's libbpf-compatible API that lens-probe.exe calls,
 * declared for this project from eBPF for Windows' documented interface
 * (bpf_obj_get, ring_buffer__new/__poll/__free with a synchronous poll,
 * bpf_map_update_elem/_delete_elem/_lookup_elem). Functions are looked up
 * by name in the DLL at start, so a missing DLL is a clear error.
 */
#ifndef LENS_EBPFAPI_H
#define LENS_EBPFAPI_H

#include <stddef.h>
#include <stdint.h>

struct ring_buffer;
typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

/* eBPF for Windows' ring_buffer_opts: its flags select synchronous polling */
struct ring_buffer_opts {
	size_t sz;
	uint64_t flags;
};
#define RINGBUF_FLAG_NO_AUTO_CALLBACK 0x1  /* callbacks run in ring_buffer__poll only */

#define LENS_EBPFAPI_FUNCS(X) \
	X(int, bpf_obj_get, (const char *path)) \
	X(struct ring_buffer *, ring_buffer__new, (int map_fd, ring_buffer_sample_fn cb, void *ctx, const struct ring_buffer_opts *opts)) \
	X(int, ring_buffer__poll, (struct ring_buffer *rb, int timeout_ms)) \
	X(void, ring_buffer__free, (struct ring_buffer *rb)) \
	X(int, bpf_map_update_elem, (int fd, const void *key, const void *value, uint64_t flags)) \
	X(int, bpf_map_delete_elem, (int fd, const void *key)) \
	X(int, bpf_map_lookup_elem, (int fd, const void *key, void *value))

#endif /* LENS_EBPFAPI_H */
