// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output_helpers.h"

#define LENS_CHUNK_BYTES (1u << 20)  /* one RECORDS packet holds up to this much */

struct chunk {
	struct chunk *next;
	size_t len;
	size_t cap;
	uint64_t kinds[LENS_KIND_MAX];  /* records of each kind in this chunk */
	char data[];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	bool finishing;
	bool broken;
	int fd;
	int wake_fd;
	size_t max_queue;
	size_t queued;
	struct chunk *head, *tail;
	struct chunk *cur;                 /* RECORDS packet being filled (main thread only) */
	__u64 events[LENS_KIND_MAX];
	__u64 lost[LENS_KIND_MAX];
} out = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.fd = -1,
	.wake_fd = -1,
};

static struct chunk *chunk_new(size_t cap, uint16_t type)
{
	struct chunk *c = malloc(sizeof(*c) + cap);
	struct lens_packet *f;

	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->cap = cap;
	c->len = sizeof(*f);
	f = (struct lens_packet *)c->data;
	f->type = type;
	f->_pad = 0;
	f->len = 0;
	return c;
}

static void enqueue(struct chunk *c, bool bounded)
{
	struct lens_packet *f = (struct lens_packet *)c->data;
	int k;

	f->len = c->len - sizeof(*f);
	pthread_mutex_lock(&out.lock);
	if (out.broken || (bounded && out.queued + c->len > out.max_queue)) {
		for (k = 0; k < LENS_KIND_MAX; k++)
			out.lost[k] += c->kinds[k];
		pthread_mutex_unlock(&out.lock);
		free(c);
		return;
	}
	for (k = 0; k < LENS_KIND_MAX; k++)
		out.events[k] += c->kinds[k];
	out.queued += c->len;
	if (out.tail)
		out.tail->next = c;
	else
		out.head = c;
	out.tail = c;
	pthread_cond_signal(&out.cond);
	pthread_mutex_unlock(&out.lock);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

static void *writer(void *arg)
{
	for (;;) {
		struct chunk *c;

		pthread_mutex_lock(&out.lock);
		while (!out.head && !out.finishing)
			pthread_cond_wait(&out.cond, &out.lock);
		c = out.head;
		if (!c) {
			pthread_mutex_unlock(&out.lock);
			return NULL;
		}
		out.head = c->next;
		if (!out.head)
			out.tail = NULL;
		pthread_mutex_unlock(&out.lock);

		if (!out.broken && write_all(out.fd, c->data, c->len) < 0) {
			uint64_t one = 1;

			pthread_mutex_lock(&out.lock);
			out.broken = true;
			pthread_mutex_unlock(&out.lock);
			/* The main loop also checks lens_out_broken() on its timeout. */
			if (out.wake_fd >= 0 && write(out.wake_fd, &one, sizeof(one)) < 0)
				out.wake_fd = -1;
		}
		pthread_mutex_lock(&out.lock);
		out.queued -= c->len;
		pthread_mutex_unlock(&out.lock);
		free(c);
	}
}

int lens_out_start(int fd, size_t max_queue_bytes, int wake_fd)
{
	int err;

	out.fd = fd;
	out.wake_fd = wake_fd;
	out.max_queue = max_queue_bytes;
	err = pthread_create(&out.thread, NULL, writer, NULL);
	if (err)
		return -err;
	out.running = true;
	return 0;
}

void lens_out_set_max_queue(size_t max_queue_bytes)
{
	pthread_mutex_lock(&out.lock);
	out.max_queue = max_queue_bytes;
	pthread_mutex_unlock(&out.lock);
}

void lens_out_record(const void *rec, size_t size)
{
	const struct lens_hdr *h = rec;

	if (out.cur && out.cur->len + size > out.cur->cap)
		lens_out_flush_records();
	if (!out.cur) {
		out.cur = chunk_new(size > LENS_CHUNK_BYTES ? size + sizeof(struct lens_packet)
							    : LENS_CHUNK_BYTES,
				    LENS_PACKET_RECORDS);
		if (!out.cur) {
			if (size >= sizeof(*h) && h->kind < LENS_KIND_MAX) {
				pthread_mutex_lock(&out.lock);
				out.lost[h->kind]++;
				pthread_mutex_unlock(&out.lock);
			}
			return;
		}
	}
	memcpy(out.cur->data + out.cur->len, rec, size);
	out.cur->len += size;
	if (size >= sizeof(*h) && h->kind < LENS_KIND_MAX)
		out.cur->kinds[h->kind]++;
}

void lens_out_flush_records(void)
{
	struct chunk *c = out.cur;

	if (!c)
		return;
	out.cur = NULL;
	enqueue(c, true);
}

void lens_out_packet(uint16_t type, const void *payload, size_t len)
{
	struct chunk *c;

	lens_out_flush_records();
	c = chunk_new(len + sizeof(struct lens_packet), type);
	if (!c)
		return;
	memcpy(c->data + c->len, payload, len);
	c->len += len;
	enqueue(c, false);
}

void lens_out_packet_first(uint16_t type, const void *payload, size_t len)
{
	struct chunk *c = chunk_new(len + sizeof(struct lens_packet), type);
	struct lens_packet *f;

	if (!c)
		return;
	memcpy(c->data + c->len, payload, len);
	c->len += len;
	f = (struct lens_packet *)c->data;
	f->len = len;
	pthread_mutex_lock(&out.lock);
	if (out.broken) {
		pthread_mutex_unlock(&out.lock);
		free(c);
		return;
	}
	out.queued += c->len;
	c->next = out.head;
	out.head = c;
	if (!out.tail)
		out.tail = c;
	pthread_cond_signal(&out.cond);
	pthread_mutex_unlock(&out.lock);
}

void lens_out_counts(__u64 events[LENS_KIND_MAX], __u64 lost[LENS_KIND_MAX],
		     __u64 *queued_bytes)
{
	pthread_mutex_lock(&out.lock);
	memcpy(events, out.events, sizeof(out.events));
	memcpy(lost, out.lost, sizeof(out.lost));
	*queued_bytes = out.queued;
	pthread_mutex_unlock(&out.lock);
}

bool lens_out_broken(void)
{
	bool b;

	pthread_mutex_lock(&out.lock);
	b = out.broken;
	pthread_mutex_unlock(&out.lock);
	return b;
}

void lens_out_finish(void)
{
	if (!out.running)
		return;
	lens_out_flush_records();
	pthread_mutex_lock(&out.lock);
	out.finishing = true;
	pthread_cond_signal(&out.cond);
	pthread_mutex_unlock(&out.lock);
	pthread_join(out.thread, NULL);
	out.running = false;
}
