/*
 * `lens-remote facts [--tree PID]`: every process in /proc as one JSON line
 * (pid, ppid, state, start time in clock ticks, real uid, comm, argv), after a
 * first line with the boot time and the clock tick rate. With --tree, PID and
 * its descendants also get exe, cwd and open fds: what the agent seeds its
 * process and fd tables with when it attaches. A process that vanishes
 * meanwhile is skipped; fields that cannot be read are left out.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lens-remote.h"

struct proc {
	int pid, ppid;
	char state;
	unsigned long long start;
	long uid;
	char comm[64];
	int in_tree;
};

static void json_str(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = 0;
	return n;
}

static int read_stat(int pid, struct proc *p)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_file(path, buf, sizeof(buf)))
		return -1;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	p->comm[n] = 0;
	/* after ") ": field 3 state, 4 ppid, ... 22 starttime */
	char *f = close + 2;
	p->state = *f;
	int field = 3;
	for (char *t = f; *t && field < 22; t++) {
		if (*t != ' ')
			continue;
		field++;
		if (field == 4)
			p->ppid = atoi(t + 1);
		else if (field == 22)
			p->start = strtoull(t + 1, NULL, 10);
	}
	p->pid = pid;
	p->uid = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf))) {
		char *u = strstr(buf, "\nUid:");
		if (u)
			p->uid = strtol(u + 5, NULL, 10);
	}
	return 0;
}

static void print_link(int pid, const char *name, const char *key)
{
	char path[64], target[4096];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	ssize_t n = readlink(path, target, sizeof(target));
	if (n < 0)
		return;
	printf(",\"%s\":", key);
	json_str(target, (size_t)n);
}

static void print_argv(int pid)
{
	static char buf[128 * 1024];
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	printf(",\"argv\":[");
	size_t start = 0;
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != 0)
			continue;
		if (!first)
			putchar(',');
		json_str(buf + start, i - start);
		first = 0;
		start = i + 1;
	}
	if (start < n) { /* a last argument without its NUL (cut or rewritten) */
		if (!first)
			putchar(',');
		json_str(buf + start, n - start);
	}
	putchar(']');
}

static void print_fds(int pid)
{
	char path[64], link[320], target[4096];
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	printf(",\"fds\":{");
	int first = 1;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		ssize_t n = readlink(link, target, sizeof(target));
		if (n < 0)
			continue;
		printf("%s\"%s\":", first ? "" : ",", de->d_name);
		json_str(target, (size_t)n);
		first = 0;
	}
	closedir(d);
	putchar('}');
}

static unsigned long long boot_time(void)
{
	char buf[8192];
	if (!read_file("/proc/stat", buf, sizeof(buf)))
		return 0;
	char *b = strstr(buf, "\nbtime ");
	return b ? strtoull(b + 7, NULL, 10) : 0;
}

int lens_facts(int argc, char **argv)
{
	int root = 0;
	if (argc == 2 && strcmp(argv[0], "--tree") == 0)
		root = atoi(argv[1]);
	else if (argc != 0) {
		fprintf(stderr, "usage: lens-remote facts [--tree PID]\n");
		return 2;
	}
	size_t cap = 1024, n = 0;
	struct proc *procs = malloc(cap * sizeof(*procs));
	DIR *d = opendir("/proc");
	if (!procs || !d) {
		perror("lens-remote: /proc");
		return 1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap *= 2;
			struct proc *more = realloc(procs, cap * sizeof(*procs));
			if (!more)
				break;
			procs = more;
		}
		memset(&procs[n], 0, sizeof(procs[n]));
		if (read_stat(atoi(de->d_name), &procs[n]) == 0)
			n++;
	}
	closedir(d);
	/* the tree: the root, then every process whose parent is in it, until nothing changes */
	for (int changed = 1; root && changed;) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (procs[i].in_tree)
				continue;
			int in = procs[i].pid == root;
			for (size_t j = 0; !in && j < n; j++)
				in = procs[j].in_tree && procs[j].pid == procs[i].ppid;
			if (in)
				procs[i].in_tree = changed = 1;
		}
	}
	printf("{\"btime\":%llu,\"clk_tck\":%ld}\n", boot_time(), sysconf(_SC_CLK_TCK));
	for (size_t i = 0; i < n; i++) {
		struct proc *p = &procs[i];
		printf("{\"pid\":%d,\"ppid\":%d,\"state\":\"%c\",\"start\":%llu,\"uid\":%ld,\"comm\":", p->pid,
		       p->ppid, p->state, p->start, p->uid);
		json_str(p->comm, strlen(p->comm));
		print_argv(p->pid);
		if (p->in_tree) {
			print_link(p->pid, "exe", "exe");
			print_link(p->pid, "cwd", "cwd");
			print_fds(p->pid);
		}
		printf("}\n");
	}
	free(procs);
	return fflush(stdout) == 0 ? 0 : 1;
}
