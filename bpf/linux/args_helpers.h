/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lens-probe's command line: the event groups (--events), the options and
 * their bounds, checked before anything is loaded.
 */
#ifndef LENS_ARGS_HELPERS_H
#define LENS_ARGS_HELPERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "events.h"

#define LENS_DEFAULT_RINGBUF (32u << 20)
#define LENS_DEFAULT_QUEUE (1ull << 30)

/* Event groups: the --events values. */
enum lens_group {
	G_EXEC = 1 << 0,
	G_FILE = 1 << 1,
	G_NET = 1 << 2,
	G_DNS = 1 << 3,
	G_SYSCALL = 1 << 4,
	G_SYSCOUNT = 1 << 5,
};

struct lens_opts {
	unsigned int groups;    /* enum lens_group bits */
	uint64_t syscall_set[LENS_SYSCALL_MAX / 64];
	uint64_t ringbuf_bytes;
	unsigned int stats_ms;
	uint64_t max_queue;
	pid_t pid;
	char **cmd;
	const char *exec_path;  /* NULL: COMMAND is looked up in PATH */
	bool check_hooks;       /* --check-hooks: report which hook types work, trace nothing */
	bool stacks;            /* --stacks: exec/file/net/dns records carry a user-stack snapshot */
	unsigned int stack_bytes; /* --stack-bytes: user-stack bytes per snapshot */
	bool python;            /* --python-stacks: processes registered with LENS_CMD_PYTHON get Python frames */
};

/*
 * Fills o from argv (defaults for what is not given). Returns 0, or -1
 * after reporting what is wrong (LENS_ERR_USAGE). --help prints the usage
 * and exits.
 */
int lens_parse_args(int argc, char **argv, struct lens_opts *o);

/* The event kinds (1 << enum lens_kind) of the groups in groups. */
uint32_t lens_kinds_of(unsigned int groups);

#endif /* LENS_ARGS_HELPERS_H */
