/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lens-probe's stdin command language (events.h, LENS_CMD_*): lines read
 * from a non-blocking fd, parsed into commands; running them is the run
 * loop's business.
 */
#ifndef LENS_COMMANDS_HELPERS_H
#define LENS_COMMANDS_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include "events.h"

enum lens_cmd_op {
	LENS_OP_ADD = 1,  /* LENS_CMD_ADD PID */
	LENS_OP_REMOVE,   /* LENS_CMD_REMOVE PID */
	LENS_OP_STATS,    /* LENS_CMD_STATS */
	LENS_OP_STOP,     /* LENS_CMD_STOP */
	LENS_OP_PYTHON,   /* LENS_CMD_PYTHON PID COOKIE HEAD OFFSETS... */
};

struct lens_command {
	enum lens_cmd_op op;
	unsigned long long pid;  /* ADD, REMOVE, PYTHON: as written, not yet checked */
	unsigned long long py[14]; /* PYTHON: cookie, head, then the offsets of struct lens_py_proc in order; not yet checked */
};

/* The line being read. */
struct lens_cmd_reader {
	char line[LENS_CMD_LINE_MAX];
	size_t len;
};

/* Runs one command; ctx is the caller's. */
typedef void (*lens_cmd_fn)(const struct lens_command *cmd, void *ctx);

/*
 * Reads what fd has and passes each complete line's command to run; an
 * unknown line is reported (LENS_ERR_USAGE) and skipped, an empty one
 * ignored. Returns 1 at EOF or on a read error (the probe stops), else 0.
 */
int lens_commands_read(struct lens_cmd_reader *r, int fd, lens_cmd_fn run, void *ctx);

#endif /* LENS_COMMANDS_HELPERS_H */
