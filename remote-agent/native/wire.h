/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reading requests from and writing answers to the agent (format: protocol.h). */
#ifndef LENS_SYMBOLIZE_WIRE_H
#define LENS_SYMBOLIZE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "protocol.h"

struct lsym_request {
	uint32_t type, id, pid, tid;
	uint64_t start;
	uint32_t gen;
	uint64_t regs[LSYM_NREGS];
	uint64_t stack_addr;
	uint32_t stack_len;
	const uint8_t *stack;
	/* the mappings section (protocol.h), checked whole by lsym_parse_request; NULL when absent */
	const uint8_t *maps;
	uint32_t maps_len, nmaps;
};

/* One mapping of a request's section; path is not NUL-terminated. */
struct lsym_mapping {
	uint64_t start, end, pgoff, ino;
	int64_t mtime_sec;
	uint32_t mtime_nsec, dev;
	uint16_t flags, path_len;
	const char *path;
};

/* One answer being built; strings are copied in, so callers keep nothing alive. */
struct lsym_answer {
	uint8_t *buf;
	size_t len, cap;
	size_t nframes_at;
	uint16_t nframes;
	int failed; /* out of memory: the answer is replaced by an error */
};

struct lsym_frame {
	uint64_t pc;
	uint32_t line, column;
	uint8_t flags;
	const char *function, *file, *module, *reason;
};

enum lsym_read { LSYM_READ_OK, LSYM_READ_EOF, LSYM_READ_BROKEN };

/* The request stream. Answers are flushed only when reading would block, so a
 * burst of requests gets its answers in few large writes. */
struct lsym_input {
	int fd;
	FILE *answers;
	size_t at, len;
	uint8_t buf[1 << 16];
};

/* Reads one frame into *buf (at most LSYM_MAX_REQUEST bytes); BROKEN when the
 * stream ends inside a frame or announces a frame larger than any request. */
enum lsym_read lsym_read_frame(struct lsym_input *in, uint8_t *buf, uint32_t *len);

/* The mapping at *at in req's section (start with *at = 0); false after the last. */
bool lsym_next_mapping(const struct lsym_request *req, uint32_t *at, struct lsym_mapping *m);

/* Parses a frame; returns NULL on success, else what was wrong with it. */
const char *lsym_parse_request(const uint8_t *buf, uint32_t len, struct lsym_request *req);

void lsym_answer_begin(struct lsym_answer *a, uint32_t id, uint16_t flags,
		       const char *truncation, const char *error);
void lsym_answer_frame(struct lsym_answer *a, const struct lsym_frame *f);
/* Writes the answer as one frame (flushed by the next read that would block);
 * returns -1 when the output is gone. */
int lsym_answer_send(struct lsym_answer *a, FILE *out);
void lsym_answer_free(struct lsym_answer *a);

#endif
