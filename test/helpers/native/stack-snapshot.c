// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * stack-snapshot PREFIX -- COMMAND [ARGS...]
 *
 * Runs COMMAND under ptrace and stops it (any of its threads) at the entry of
 * every openat(2) whose path starts with PREFIX. There it takes what the
 * probe's kernel side will copy for a stack (the user registers and the top
 * 8 KiB of the user stack from sp), prints it as one JSON line on stdout, and
 * waits for a line on stdin before letting the call go on, so the process
 * stays alive and unchanged while the test symbolizes the snapshot. Prints
 * {"exit":N} last. COMMAND's own stdout goes to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_BYTES 8192

static ssize_t peek(pid_t pid, unsigned long long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

static void print_snapshot(pid_t pid, pid_t tid, const struct user_regs_struct *r)
{
	static unsigned char stack[STACK_BYTES];
	ssize_t got = 0;
	size_t want = STACK_BYTES;

	/* The stack may end before 8 KiB: read less, as the kernel side will. */
	while (want > 0 && (got = peek(tid, r->rsp, stack, want)) < 0)
		want -= 1024 < want ? 1024 : want;
	if (got < 0)
		got = 0;
	printf("{\"pid\":%d,\"tid\":%d,\"regs\":{\"ax\":\"%llu\",\"dx\":\"%llu\",\"cx\":\"%llu\",\"bx\":\"%llu\","
	       "\"si\":\"%llu\",\"di\":\"%llu\",\"bp\":\"%llu\",\"sp\":\"%llu\",\"r8\":\"%llu\",\"r9\":\"%llu\","
	       "\"r10\":\"%llu\",\"r11\":\"%llu\",\"r12\":\"%llu\",\"r13\":\"%llu\",\"r14\":\"%llu\",\"r15\":\"%llu\","
	       "\"ip\":\"%llu\"},\"stack\":\"",
	       pid, tid, r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp, r->rsp, r->r8, r->r9,
	       r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip);
	for (ssize_t i = 0; i < got; i++)
		printf("%02x", stack[i]);
	printf("\"}\n");
	fflush(stdout);
}

/* Syscall stops alternate entry and exit per thread: true when tid is now entering. */
static int toggle(pid_t tid)
{
	static struct { pid_t tid; int entering; } seen[256];

	for (int i = 0; i < 256; i++) {
		if (seen[i].tid == tid || seen[i].tid == 0) {
			seen[i].tid = tid;
			seen[i].entering = !seen[i].entering;
			return seen[i].entering;
		}
	}
	return 0;
}

static int wait_for_line(void)
{
	int c;

	while ((c = getchar()) != EOF && c != '\n')
		;
	return c == EOF ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *prefix;
	size_t plen;
	pid_t child;
	int status;

	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: stack-snapshot PREFIX -- COMMAND [ARGS...]\n");
		return 2;
	}
	prefix = argv[1];
	plen = strlen(prefix);
	child = fork();
	if (child == 0) {
		dup2(2, 1); /* stdout carries only snapshots: the program's output goes to stderr */
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "stack-snapshot: cannot run %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	waitpid(child, &status, 0);
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE));
	ptrace(PTRACE_SYSCALL, child, NULL, NULL);
	for (;;) {
		int sig, pending = 0;
		pid_t tid = waitpid(-1, &status, __WALL);

		if (tid < 0)
			break;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (tid == child)
				break;
			continue;
		}
		sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80)) {
			struct user_regs_struct r;
			char path[256] = "";

			if (toggle(tid) && ptrace(PTRACE_GETREGS, tid, NULL, &r) == 0 && r.orig_rax == SYS_openat &&
			    peek(tid, r.rsi, path, plen) == (ssize_t)plen && memcmp(path, prefix, plen) == 0) {
				print_snapshot(child, tid, &r);
				if (wait_for_line() != 0) {
					kill(child, SIGKILL);
					waitpid(child, &status, 0);
					break;
				}
			}
		} else if (sig != SIGTRAP && !(sig == SIGSTOP && tid != child)) {
			pending = sig; /* the program's own signal: deliver it (a new thread's first SIGSTOP is ours) */
		}
		ptrace(PTRACE_SYSCALL, tid, NULL, (void *)(long)pending);
	}
	printf("{\"exit\":%d}\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
