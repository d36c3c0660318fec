// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Frames in and out of lens-symbolize: little-endian, length-prefixed (protocol.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "wire.h"

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* Copies n bytes from the stream; 0 at end of input, -1 on a read error. */
static int take(struct lsym_input *in, uint8_t *dst, size_t n)
{
	while (n > 0) {
		if (in->at == in->len) {
			ssize_t got;

			if (fflush(in->answers) != 0)
				return -1;
			do
				got = read(in->fd, in->buf, sizeof(in->buf));
			while (got < 0 && errno == EINTR);
			if (got <= 0)
				return got == 0 ? 0 : -1;
			in->at = 0;
			in->len = (size_t)got;
		}
		size_t chunk = in->len - in->at < n ? in->len - in->at : n;

		memcpy(dst, in->buf + in->at, chunk);
		in->at += chunk;
		dst += chunk;
		n -= chunk;
	}
	return 1;
}

enum lsym_read lsym_read_frame(struct lsym_input *in, uint8_t *buf, uint32_t *len)
{
	uint8_t head[4];
	int r;

	if (in->at == in->len) {
		/* at a frame boundary: the end of input here is a clean end */
		r = take(in, head, 1);
		if (r <= 0)
			return r == 0 ? LSYM_READ_EOF : LSYM_READ_BROKEN;
		if (take(in, head + 1, 3) <= 0)
			return LSYM_READ_BROKEN;
	} else if (take(in, head, 4) <= 0) {
		return LSYM_READ_BROKEN;
	}
	*len = get_u32(head);
	if (*len > LSYM_MAX_REQUEST)
		return LSYM_READ_BROKEN;
	return take(in, buf, *len) > 0 || *len == 0 ? LSYM_READ_OK : LSYM_READ_BROKEN;
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Checks the mappings section whole, so that lsym_next_mapping() needs no checks. */
static const char *parse_maps(struct lsym_request *req, const uint8_t *p, uint32_t len)
{
	uint32_t at = 4;

	if (len < 4 || len > LSYM_MAX_MAPS_BYTES)
		return "mappings section shorter than its count or over its limit";
	req->nmaps = get_u32(p);
	for (uint32_t i = 0; i < req->nmaps; i++) {
		uint64_t start, end;

		if (len - at < LSYM_MAPPING_BYTES)
			return "mappings section ends inside a mapping";
		start = get_u64(p + at);
		end = get_u64(p + at + 8);
		if (end <= start)
			return "a mapping ends before it starts";
		at += LSYM_MAPPING_BYTES + get_u16(p + at + LSYM_MAPPING_BYTES - 2);
		if (at > len)
			return "a mapping's path runs past the request";
	}
	if (at != len)
		return "bytes after the last mapping";
	req->maps = p;
	req->maps_len = len;
	return NULL;
}

bool lsym_next_mapping(const struct lsym_request *req, uint32_t *at, struct lsym_mapping *m)
{
	const uint8_t *p;

	if (*at == 0)
		*at = 4;
	if (!req->maps || *at >= req->maps_len)
		return false;
	p = req->maps + *at;
	m->start = get_u64(p);
	m->end = get_u64(p + 8);
	m->pgoff = get_u64(p + 16);
	m->ino = get_u64(p + 24);
	m->mtime_sec = (int64_t)get_u64(p + 32);
	m->mtime_nsec = get_u32(p + 40);
	m->dev = get_u32(p + 44);
	m->flags = get_u16(p + 48);
	m->path_len = get_u16(p + 50);
	m->path = (const char *)p + LSYM_MAPPING_BYTES;
	*at += LSYM_MAPPING_BYTES + m->path_len;
	return true;
}

const char *lsym_parse_request(const uint8_t *buf, uint32_t len, struct lsym_request *req)
{
	const uint8_t *p = buf;

	memset(req, 0, sizeof(*req));
	if (len < 8)
		return "request shorter than its type and id";
	req->type = get_u32(p);
	req->id = get_u32(p + 4);
	if (len < LSYM_REQ_HEADER_BYTES)
		return "request shorter than its fixed header";
	req->pid = get_u32(p + 8);
	req->tid = get_u32(p + 12);
	req->start = get_u64(p + 16);
	req->gen = get_u32(p + 24);
	req->stack_len = get_u32(p + 28);
	p += 32;
	for (int i = 0; i < LSYM_NREGS; i++, p += 8)
		req->regs[i] = get_u64(p);
	req->stack_addr = get_u64(p);
	p += 8;
	if (req->type != LSYM_REQ_UNWIND && req->type != LSYM_REQ_FORGET)
		return "unknown request type";
	if (req->stack_len > LSYM_MAX_STACK || len < LSYM_REQ_HEADER_BYTES + req->stack_len)
		return "stack length does not match the request length";
	if (len > LSYM_REQ_HEADER_BYTES + req->stack_len) {
		const char *bad = parse_maps(req, p + req->stack_len, len - LSYM_REQ_HEADER_BYTES - req->stack_len);

		if (bad)
			return bad;
	}
	if ((int32_t)req->pid <= 0)
		return "pid is not a positive number";
	if (req->stack_len && req->stack_addr + req->stack_len < req->stack_addr)
		return "stack snapshot wraps around the address space";
	req->stack = p;
	return NULL;
}

static void put(struct lsym_answer *a, const void *src, size_t n)
{
	if (a->failed)
		return;
	if (a->len + n > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		uint8_t *nb;

		while (cap < a->len + n)
			cap *= 2;
		nb = realloc(a->buf, cap);
		if (!nb) {
			a->failed = 1;
			return;
		}
		a->buf = nb;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, src, n);
	a->len += n;
}

static void put_u16(struct lsym_answer *a, uint16_t v)
{
	uint8_t b[2] = { v, v >> 8 };

	put(a, b, 2);
}

static void put_u32(struct lsym_answer *a, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(a, b, 4);
}

static void put_u64(struct lsym_answer *a, uint64_t v)
{
	put_u32(a, (uint32_t)v);
	put_u32(a, (uint32_t)(v >> 32));
}

static void put_str(struct lsym_answer *a, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > LSYM_MAX_STR)
		n = LSYM_MAX_STR;
	put_u16(a, (uint16_t)n);
	put(a, s, n);
}

void lsym_answer_begin(struct lsym_answer *a, uint32_t id, uint16_t flags,
		       const char *truncation, const char *error)
{
	a->len = 0;
	a->failed = 0;
	a->nframes = 0;
	put_u32(a, 0); /* frame length, set by send */
	put_u32(a, id);
	put_u16(a, flags);
	a->nframes_at = a->len;
	put_u16(a, 0);
	put_str(a, truncation);
	put_str(a, error);
}

void lsym_answer_frame(struct lsym_answer *a, const struct lsym_frame *f)
{
	put_u64(a, f->pc);
	put_u32(a, f->line);
	put_u32(a, f->column);
	put(a, &f->flags, 1);
	put_str(a, f->function);
	put_str(a, f->file);
	put_str(a, f->module);
	put_str(a, f->reason);
	a->nframes++;
}

int lsym_answer_send(struct lsym_answer *a, FILE *out)
{
	if (a->failed) {
		uint32_t id = a->len >= 8 ? get_u32(a->buf + 4) : 0;

		free(a->buf);
		memset(a, 0, sizeof(*a));
		lsym_answer_begin(a, id, LSYM_ANS_TRUNCATED, "", "out of memory while building the answer");
		if (a->failed)
			return -1;
	}
	uint32_t body = (uint32_t)(a->len - 4);
	uint8_t head[4] = { body, body >> 8, body >> 16, body >> 24 };

	memcpy(a->buf, head, 4);
	a->buf[a->nframes_at] = (uint8_t)a->nframes;
	a->buf[a->nframes_at + 1] = (uint8_t)(a->nframes >> 8);
	if (fwrite(a->buf, 1, a->len, out) != a->len)
		return -1;
	return 0;
}

void lsym_answer_free(struct lsym_answer *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}
