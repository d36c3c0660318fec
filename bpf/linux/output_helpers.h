/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lens-probe's stdout: packets (events.h) through a bounded in-memory
 * queue drained by a writer thread, so the ring buffer is consumed at full
 * speed even when the reader of stdout is slow. Records beyond the bound
 * are counted per kind, never silently lost.
 */
#ifndef LENS_OUTPUT_HELPERS_H
#define LENS_OUTPUT_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "events.h"

/* Starts the writer thread on fd. wake_fd (an eventfd) is signalled when output fails. */
int lens_out_start(int fd, size_t max_queue_bytes, int wake_fd);

/* Changes the queue bound (--max-queue-bytes). */
void lens_out_set_max_queue(size_t max_queue_bytes);

/* Appends one kernel record to the current RECORDS packet. */
void lens_out_record(const void *rec, size_t size);

/* Queues the current RECORDS packet, if any (after each ring buffer poll). */
void lens_out_flush_records(void);

/* Queues one control packet (after the pending records, so order is kept). */
void lens_out_packet(uint16_t type, const void *payload, size_t len);

/* Queues one control packet ahead of everything not yet being written. */
void lens_out_packet_first(uint16_t type, const void *payload, size_t len);

/* Records delivered to the queue and records lost to a full queue, per kind. */
void lens_out_counts(__u64 events[LENS_KIND_MAX], __u64 lost[LENS_KIND_MAX],
		     __u64 *queued_bytes);

/* True once a write to stdout failed (reader gone). */
bool lens_out_broken(void);

/* Writes everything queued, then stops the writer thread. */
void lens_out_finish(void);

#endif /* LENS_OUTPUT_HELPERS_H */
