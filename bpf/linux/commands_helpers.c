// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands_helpers.h"
#include "report_helpers.h"

static const struct {
	const char *word;
	enum lens_cmd_op op;
	int nargs;  /* words after the command: 1 for a PID */
} commands[] = {
	{ LENS_CMD_ADD, LENS_OP_ADD, 1 },
	{ LENS_CMD_REMOVE, LENS_OP_REMOVE, 1 },
	{ LENS_CMD_STATS, LENS_OP_STATS, 0 },
	{ LENS_CMD_STOP, LENS_OP_STOP, 0 },
};

/* LENS_CMD_PYTHON's words after the pid: cookie, head, 11 offsets. */
#define PY_WORDS 13

/* Returns 1 with cmd filled, 0 for an empty line, -1 (reported) for anything else. */
static int parse(const char *line, struct lens_command *cmd)
{
	char word[16];
	unsigned long long pid = 0, *v = cmd->py;
	int n = sscanf(line, "%15s %llu", word, &pid);
	size_t i;

	if (n <= 0)
		return 0;
	if (!strcmp(word, LENS_CMD_PYTHON)) {
		n = sscanf(line, "%*s %llu %llu %llx %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &pid, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
			   &v[9], &v[10], &v[11], &v[12]);
		if (n == 1 + PY_WORDS) {
			cmd->op = LENS_OP_PYTHON;
			cmd->pid = pid;
			return 1;
		}
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(word, commands[i].word) && n == 1 + commands[i].nargs) {
			cmd->op = commands[i].op;
			cmd->pid = pid;
			return 1;
		}
	}
	lens_report(LENS_ERR_USAGE, EINVAL, "unknown control command '%.64s': expected "
		    LENS_CMD_ADD " PID, " LENS_CMD_REMOVE " PID, " LENS_CMD_PYTHON " PID COOKIE HEAD "
		    "OFFSETS, " LENS_CMD_STATS " or " LENS_CMD_STOP,
		    line);
	return -1;
}

int lens_commands_read(struct lens_cmd_reader *r, int fd, lens_cmd_fn run, void *ctx)
{
	struct lens_command cmd;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	ssize_t i;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			r->line[r->len] = '\0';
			if (parse(r->line, &cmd) > 0)
				run(&cmd, ctx);
			r->len = 0;
		} else if (r->len < sizeof(r->line) - 1) {
			r->line[r->len++] = buf[i];
		}
	}
	return 0;
}
