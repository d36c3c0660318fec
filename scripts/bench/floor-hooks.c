/*
 * The floor of a hook set: attaches an empty program (return 0) to each
 * hook named, runs a command, and exits with its status. What the command
 * loses under it is what merely having programs on those hooks costs,
 * whatever the programs do.
 *   floor-hooks raw_tp:sys_enter tp:syscalls:sys_exit_openat ... -- CMD [ARGS...]
 * Built and run by scripts/bench/tracers.ts ("floor" rows):
 *   cc -O2 -o floor-hooks floor-hooks.c -lbpf
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>

static int empty_prog(enum bpf_prog_type type)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(type, "floor", "GPL", insns, 2, NULL);
}

/* A classic tracepoint: perf event on its id, the program set on it. */
static int attach_tp(const char *category, const char *name)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr),
					.sample_period = 1, .wakeup_events = 1 };
	char path[256];
	FILE *f;
	int prog, pfd;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", category, name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &attr.config) != 1) {
		fprintf(stderr, "floor-hooks: cannot read %s (mount -t tracefs tracefs /sys/kernel/tracing)\n", path);
		return -1;
	}
	fclose(f);
	prog = empty_prog(BPF_PROG_TYPE_TRACEPOINT);
	pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (prog < 0 || pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) || ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		fprintf(stderr, "floor-hooks: attaching to tracepoint %s:%s failed: %s\n", category, name, strerror(errno));
		return -1;
	}
	return 0;
}

static int attach(char *spec)
{
	if (!strncmp(spec, "raw_tp:", 7)) {
		int prog = empty_prog(BPF_PROG_TYPE_RAW_TRACEPOINT);

		if (prog < 0 || bpf_raw_tracepoint_open(spec + 7, prog) < 0) {
			fprintf(stderr, "floor-hooks: attaching to raw tracepoint %s failed: %s\n", spec + 7, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!strncmp(spec, "tp:", 3)) {
		char *name = strchr(spec + 3, ':');

		if (name) {
			*name = '\0';
			return attach_tp(spec + 3, name + 1);
		}
	}
	fprintf(stderr, "floor-hooks: bad hook '%s': expected raw_tp:NAME or tp:CATEGORY:NAME\n", spec);
	return -1;
}

int main(int argc, char **argv)
{
	int i, status;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (attach(argv[i]))
			return 125;
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: floor-hooks HOOK... -- CMD [ARGS...]\n");
		return 125;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[i + 1], &argv[i + 1]);
		perror("floor-hooks: exec");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
