/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * STAND-IN ebpfapi.dll, FOR TESTS ONLY: not eBPF for Windows. It lets
 * lens-probe.exe run under wine on Linux: the same exported functions as the
 * real DLL's libbpf-compatible API, serving records recorded in a file
 * instead of a kernel ring buffer.
 *
 *   LENS_STANDIN_RECORDS  file of records back to back (each lens_hdr.size long),
 *                         delivered by ring_buffer__poll, at most 16 per call
 *   LENS_STANDIN_DROPS    "KIND:COUNT,...": what lens_drops holds
 *   LENS_STANDIN_LOG      file where each map write is logged ("update lens_tracked 42")
 *
 * Pinned maps exist under any root: ROOT/lens_events, ROOT/lens_tracked,
 * ROOT/lens_drops; any other path fails as a missing pin does.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../linux/events.h"
#include "../reader/ebpfapi.h"

#define FD_EVENTS 3
#define FD_TRACKED 4
#define FD_DROPS 5

struct ring_buffer { ring_buffer_sample_fn cb; void *ctx; };

static unsigned char *records;
static size_t records_len, records_off;
static int loaded;

static void log_line(const char *what, int fd, unsigned key)
{
	const char *path = getenv("LENS_STANDIN_LOG");
	if (!path)
		return;
	FILE *f = fopen(path, "ab");
	if (!f)
		return;
	fprintf(f, "%s %s %u\n", what, fd == FD_TRACKED ? "lens_tracked" : fd == FD_DROPS ? "lens_drops" : "lens_events", key);
	fclose(f);
}

static void load(void)
{
	if (loaded)
		return;
	loaded = 1;
	const char *path = getenv("LENS_STANDIN_RECORDS");
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	records_len = ftell(f);
	fseek(f, 0, SEEK_SET);
	records = malloc(records_len ? records_len : 1);
	records_len = fread(records, 1, records_len, f);
	fclose(f);
}

__declspec(dllexport) int bpf_obj_get(const char *path)
{
	const char *name = strrchr(path, '/');
	name = name ? name + 1 : path;
	if (!strcmp(name, "lens_events")) return FD_EVENTS;
	if (!strcmp(name, "lens_tracked")) return FD_TRACKED;
	if (!strcmp(name, "lens_drops")) return FD_DROPS;
	return -1;
}

__declspec(dllexport) struct ring_buffer *ring_buffer__new(int fd, ring_buffer_sample_fn cb, void *ctx, const struct ring_buffer_opts *opts)
{
	if (fd != FD_EVENTS || !opts || !(opts->flags & RINGBUF_FLAG_NO_AUTO_CALLBACK))
		return NULL;  /* this stand-in serves synchronous polling only */
	struct ring_buffer *rb = calloc(1, sizeof(*rb));
	rb->cb = cb;
	rb->ctx = ctx;
	load();
	return rb;
}

__declspec(dllexport) int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms)
{
	int n = 0;
	while (n < 16 && records_off + sizeof(struct lens_hdr) <= records_len) {
		const struct lens_hdr *h = (const void *)(records + records_off);
		if (h->size < sizeof(*h) || records_off + h->size > records_len)
			break;
		rb->cb(rb->ctx, records + records_off, h->size);
		records_off += h->size;
		n++;
	}
	if (!n && timeout_ms > 0)
		Sleep(timeout_ms);
	return n;
}

__declspec(dllexport) void ring_buffer__free(struct ring_buffer *rb)
{
	free(rb);
}

__declspec(dllexport) int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)
{
	log_line("update", fd, *(const unsigned *)key);
	return fd == FD_TRACKED ? 0 : -1;
}

__declspec(dllexport) int bpf_map_delete_elem(int fd, const void *key)
{
	log_line("delete", fd, *(const unsigned *)key);
	return fd == FD_TRACKED ? 0 : -1;
}

__declspec(dllexport) int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	if (fd != FD_DROPS)
		return -1;
	unsigned want = *(const unsigned *)key;
	unsigned long long count = 0;
	const char *spec = getenv("LENS_STANDIN_DROPS");
	for (const char *p = spec; p && *p;) {
		unsigned kind;
		unsigned long long n;
		if (sscanf(p, "%u:%llu", &kind, &n) == 2 && kind == want)
			count = n;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	memcpy(value, &count, sizeof(count));
	return 0;
}
