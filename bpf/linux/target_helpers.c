// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "events.h"
#include "creds_helpers.h"
#include "target_helpers.h"

int lens_tree_add(struct lens_tree *t, uint32_t pid, uint32_t parent)
{
	struct lens_tracked_val val = { .start_ns = 0, .parent = parent };

	if (pid == 0 || pid >= LENS_PID_LIMIT)
		return -EINVAL;
	__atomic_fetch_or(&t->bits[pid / 64], 1ULL << (pid % 64), __ATOMIC_SEQ_CST);
	if (bpf_map_update_elem(t->tracked_fd, &pid, &val, BPF_ANY))
		return -errno;
	return 0;
}

int lens_tree_add_held(struct lens_tree *t, uint32_t pid)
{
	/* Before the tracked bit: no syscall of the child is seen untagged. */
	if (t->held)
		__atomic_store_n(t->held, pid, __ATOMIC_SEQ_CST);
	return lens_tree_add(t, pid, 0);
}

void lens_tree_remove(struct lens_tree *t, uint32_t pid)
{
	if (pid == 0 || pid >= LENS_PID_LIMIT)
		return;
	__atomic_fetch_and(&t->bits[pid / 64], ~(1ULL << (pid % 64)), __ATOMIC_SEQ_CST);
	bpf_map_delete_elem(t->tracked_fd, &pid);
}

int lens_pid_exists(uint32_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u", pid);
	return stat(path, &st) == 0;
}

/* ppid of pid from /proc/pid/stat, 0 if it is gone. */
static uint32_t proc_ppid(uint32_t pid)
{
	char path[32], buf[512], *p;
	unsigned int ppid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');  /* comm may contain spaces and parentheses */
	if (!p || sscanf(p + 1, " %*c %u", &ppid) != 1)
		return 0;
	return ppid;
}

struct proc_link {
	uint32_t pid, ppid;
};

static bool is_self_or_ancestor(uint32_t pid, pid_t self)
{
	uint32_t p = self;
	int depth;

	for (depth = 0; p > 1 && depth < 4096; depth++) {
		if (p == pid)
			return true;
		p = proc_ppid(p);
	}
	return false;
}

int lens_tree_add_descendants(struct lens_tree *t, uint32_t root)
{
	struct proc_link *links = NULL;
	size_t n = 0, cap = 0, i;
	uint32_t *queue = NULL;
	size_t qhead = 0, qlen = 0;
	struct dirent *de;
	int added = 0;
	char why[8];
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		uint32_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtoul(de->d_name, NULL, 10);
		if (n == cap) {
			struct proc_link *nl;

			cap = cap ? cap * 2 : 1024;
			nl = realloc(links, cap * sizeof(*links));
			if (!nl) {
				closedir(dir);
				free(links);
				return -ENOMEM;
			}
			links = nl;
		}
		links[n].pid = pid;
		links[n].ppid = proc_ppid(pid);
		n++;
	}
	closedir(dir);

	queue = calloc(n + 1, sizeof(*queue));
	if (!queue) {
		free(links);
		return -ENOMEM;
	}
	queue[qlen++] = root;
	while (qhead < qlen) {
		uint32_t parent = queue[qhead++];

		for (i = 0; i < n; i++) {
			if (links[i].ppid != parent || links[i].pid == root)
				continue;
			if (is_self_or_ancestor(links[i].pid, t->self))
				continue;
			if (t->confine && lens_may_trace(t->confine, links[i].pid, why, sizeof(why)))
				continue;
			if (lens_tree_add(t, links[i].pid, parent) == 0)
				added++;
			if (qlen <= n)
				queue[qlen++] = links[i].pid;
		}
	}
	free(queue);
	free(links);
	return added;
}

int lens_spawn_held(const char *file, char *const argv[], const int fds[3],
		    const sigset_t *child_mask, struct lens_spawn *s)
{
	int hold[2], err[2];
	pid_t pid;

	if (pipe2(hold, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		int e = -errno;

		close(hold[0]);
		close(hold[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(hold[0]);
		close(hold[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (pid == 0) {
		char c;
		int e, i;

		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, child_mask, NULL);
		for (i = 0; i < 3; i++)
			if (fds[i] != i && dup2(fds[i], i) < 0)
				_exit(127);
		close(hold[1]);
		close(err[0]);
		if (lens_drop_caps())
			_exit(127);
		if (read(hold[0], &c, 1) != 1)
			_exit(127);  /* lens-probe gave up before releasing us */
		if (file)
			execv(file, argv);
		else
			execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(hold[0]);
	close(err[1]);
	s->pid = pid;
	s->hold_fd = hold[1];
	s->err_fd = err[0];
	return 0;
}

int lens_spawn_release(struct lens_spawn *s)
{
	char go = 1;
	int e = 0;
	ssize_t n;

	if (write(s->hold_fd, &go, 1) != 1)
		return errno ? errno : EIO;
	close(s->hold_fd);
	s->hold_fd = -1;
	do
		n = read(s->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(s->err_fd);
	s->err_fd = -1;
	return n == sizeof(e) ? e : 0;
}
