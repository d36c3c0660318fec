// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args_helpers.h"
#include "report_helpers.h"

#define K(kind) (1u << (kind))

static const struct {
	const char *name;
	unsigned int group;
	uint32_t kinds;
} lens_groups[] = {
	{ "exec", G_EXEC, K(LENS_EXEC) | K(LENS_FORK) | K(LENS_EXIT) | K(LENS_PTRACE) },
	{ "file", G_FILE, K(LENS_OPEN) | LENS_FSOP_KINDS },
	{ "net", G_NET, K(LENS_CONNECT) | K(LENS_ACCEPT) | K(LENS_BIND) | K(LENS_LISTEN) |
			K(LENS_TCP_CLOSE) | K(LENS_UDP_SEND) },
	{ "dns", G_DNS, K(LENS_DNS) },
	{ "syscall", G_SYSCALL, K(LENS_SYSCALL) },
	{ "syscount", G_SYSCOUNT, 0 },
};

#define N_GROUPS (sizeof(lens_groups) / sizeof(lens_groups[0]))

static const char usage[] =
	"usage: lens-probe [--events exec,file,net,dns,syscall,syscount] [--syscalls NR,...]\n"
	"                  [--ringbuf-bytes N] [--stats-ms N] [--stacks [--stack-bytes N]]\n"
	"                  [--python-stacks]\n"
	"                  (--pid PID | [--exec-path FILE] -- COMMAND [ARGS...])\n"
	"       lens-probe --check-hooks";

uint32_t lens_kinds_of(unsigned int groups)
{
	uint32_t kinds = 0;
	size_t i;

	for (i = 0; i < N_GROUPS; i++)
		if (groups & lens_groups[i].group)
			kinds |= lens_groups[i].kinds;
	return kinds;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

static int parse_events(const char *arg, unsigned int *groups)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	size_t i;

	if (!copy)
		return -1;
	*groups = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < N_GROUPS; i++)
			if (!strcmp(tok, lens_groups[i].name))
				break;
		if (i == N_GROUPS) {
			lens_report(LENS_ERR_USAGE, EINVAL,
				    "unknown event group '%s' in --events: expected a comma-separated "
				    "list of exec, file, net, dns, syscall, syscount", tok);
			free(copy);
			return -1;
		}
		*groups |= lens_groups[i].group;
	}
	free(copy);
	if (!*groups) {
		lens_report(LENS_ERR_USAGE, EINVAL, "--events is empty: name at least one of exec, "
			    "file, net, dns, syscall, syscount");
		return -1;
	}
	return 0;
}

static int parse_syscalls(const char *arg, uint64_t *set)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	uint64_t nr;

	if (!copy)
		return -1;
	memset(set, 0, sizeof(uint64_t) * (LENS_SYSCALL_MAX / 64));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (parse_u64(tok, &nr) || nr >= LENS_SYSCALL_MAX) {
			lens_report(LENS_ERR_USAGE, EINVAL,
				    "bad syscall number '%s' in --syscalls: expected numbers 0..%d "
				    "separated by commas", tok, LENS_SYSCALL_MAX - 1);
			free(copy);
			return -1;
		}
		set[nr / 64] |= 1ull << (nr % 64);
	}
	free(copy);
	return 0;
}

int lens_parse_args(int argc, char **argv, struct lens_opts *o)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "ringbuf-bytes", required_argument, NULL, 'r' },
		{ "stats-ms", required_argument, NULL, 'S' },
		{ "max-queue-bytes", required_argument, NULL, 'q' },
		{ "pid", required_argument, NULL, 'p' },
		{ "exec-path", required_argument, NULL, 'x' },
		{ "check-hooks", no_argument, NULL, 'c' },
		{ "stacks", no_argument, NULL, 'k' },
		{ "stack-bytes", required_argument, NULL, 'K' },
		{ "python-stacks", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool stack_bytes_given = false;
	uint64_t v;
	int c;

	o->groups = G_EXEC | G_FILE | G_NET | G_DNS;
	memset(o->syscall_set, 0xff, sizeof(o->syscall_set));
	o->ringbuf_bytes = LENS_DEFAULT_RINGBUF;
	o->stats_ms = 1000;
	o->max_queue = LENS_DEFAULT_QUEUE;
	o->stack_bytes = LENS_STACK_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (parse_events(optarg, &o->groups))
				return -1;
			break;
		case 's':
			if (parse_syscalls(optarg, o->syscall_set))
				return -1;
			break;
		case 'r':
			if (parse_u64(optarg, &v) || v < 4096 || (v & (v - 1)) || v > (1ull << 31)) {
				lens_report(LENS_ERR_USAGE, EINVAL, "bad --ringbuf-bytes '%s': expected "
					    "a power of two from 4096 to 2147483648", optarg);
				return -1;
			}
			o->ringbuf_bytes = v;
			break;
		case 'S':
			if (parse_u64(optarg, &v) || v > 3600000) {
				lens_report(LENS_ERR_USAGE, EINVAL, "bad --stats-ms '%s': expected "
					    "milliseconds from 0 (off) to 3600000", optarg);
				return -1;
			}
			o->stats_ms = v;
			break;
		case 'q':
			if (parse_u64(optarg, &v) || v < 4096) {
				lens_report(LENS_ERR_USAGE, EINVAL, "bad --max-queue-bytes '%s': expected "
					    "at least 4096", optarg);
				return -1;
			}
			o->max_queue = v;
			break;
		case 'p':
			if (parse_u64(optarg, &v) || v == 0 || v >= LENS_PID_LIMIT) {
				lens_report(LENS_ERR_USAGE, EINVAL, "bad --pid '%s': expected a process id",
					    optarg);
				return -1;
			}
			o->pid = v;
			break;
		case 'x':
			if (optarg[0] != '/') {
				lens_report(LENS_ERR_USAGE, EINVAL, "bad --exec-path '%s': expected an "
					    "absolute path", optarg);
				return -1;
			}
			o->exec_path = optarg;
			break;
		case 'c':
			o->check_hooks = true;
			break;
		case 'k':
			o->stacks = true;
			break;
		case 'y':
			o->python = true;
			break;
		case 'K':
			if (parse_u64(optarg, &v) || v < LENS_STACK_MIN || v > LENS_STACK_MAX) {
				lens_report(LENS_ERR_USAGE, EINVAL, "bad --stack-bytes '%s': expected "
					    "bytes from %d to %d", optarg, LENS_STACK_MIN, LENS_STACK_MAX);
				return -1;
			}
			o->stack_bytes = v;
			stack_bytes_given = true;
			break;
		case 'h':
			fprintf(stderr, "%s\n", usage);
			exit(0);
		default:
			lens_report(LENS_ERR_USAGE, EINVAL, "unknown or incomplete option '%s'\n%s",
				    argv[optind - 1], usage);
			return -1;
		}
	}
	if (optind < argc)
		o->cmd = &argv[optind];
	if (stack_bytes_given && !o->stacks) {
		lens_report(LENS_ERR_USAGE, EINVAL, "--stack-bytes needs --stacks\n%s", usage);
		return -1;
	}
	if (o->check_hooks && !o->pid && !o->cmd)
		return 0;
	if (!o->pid == !o->cmd) {
		lens_report(LENS_ERR_USAGE, EINVAL, "give either --pid PID or -- COMMAND [ARGS...]\n%s",
			    usage);
		return -1;
	}
	if (o->exec_path && !o->cmd) {
		lens_report(LENS_ERR_USAGE, EINVAL, "--exec-path needs -- COMMAND [ARGS...]\n%s", usage);
		return -1;
	}
	return 0;
}
