/*
 * Keeps BPF run-time statistics on while it runs (BPF_ENABLE_STATS: the
 * kernel counts run_time_ns/run_cnt per program as long as the returned fd is
 * open), independently of the kernel.bpf_stats_enabled sysctl, which other
 * users of the machine may switch off. Also attaches an empty program
 * (return 0) to raw_tp/sys_enter: its ns per run is the floor that the
 * statistics themselves add on this machine, so a program's own cost is its
 * figure minus that floor.
 * Prints "ready <empty program id>" and exits when its stdin closes.
 * Built and run by scripts/bench/kernel-cost.ts:
 *   cc -O2 -o bpf-stats-hold bpf-stats-hold.c -lbpf
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(void)
{
	struct bpf_insn empty[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	char buf[64];
	int stats_fd, prog_fd, link_fd;

	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "bpf-stats-hold: BPF_ENABLE_STATS failed: %s (needs root or CAP_SYS_ADMIN)\n", strerror(-stats_fd));
		return 1;
	}
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "bench_empty", "GPL", empty, 2, NULL);
	if (prog_fd < 0) {
		fprintf(stderr, "bpf-stats-hold: loading the empty program failed: %s\n", strerror(-prog_fd));
		return 1;
	}
	link_fd = bpf_raw_tracepoint_open("sys_enter", prog_fd);
	if (link_fd < 0) {
		fprintf(stderr, "bpf-stats-hold: attaching the empty program to raw_tp/sys_enter failed: %s\n", strerror(-link_fd));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len)) {
		fprintf(stderr, "bpf-stats-hold: reading the empty program's id failed\n");
		return 1;
	}
	printf("ready %u\n", info.id);
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	close(link_fd);
	close(prog_fd);
	close(stats_fd);
	return 0;
}
