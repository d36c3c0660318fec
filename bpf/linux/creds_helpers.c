// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "creds_helpers.h"

#define CAP_BPF_BIT 39

void lens_owner_init(struct lens_owner *o)
{
	o->uid = getuid();
	o->gid = getgid();
	o->confined = o->uid != 0;
}

/* The fields of /proc/pid/status the checks read. */
struct proc_creds {
	char name[32];
	unsigned long uid[4], gid[4];  /* real, effective, saved, fs */
	unsigned long long cap_prm, cap_eff;
};

static int read_status(uint32_t pid, struct proc_creds *c)
{
	char path[32], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Name:\t%31[^\n]", c->name) == 1)
			found |= 1;
		else if (sscanf(line, "Uid:\t%lu\t%lu\t%lu\t%lu", &c->uid[0], &c->uid[1], &c->uid[2],
				&c->uid[3]) == 4)
			found |= 2;
		else if (sscanf(line, "Gid:\t%lu\t%lu\t%lu\t%lu", &c->gid[0], &c->gid[1], &c->gid[2],
				&c->gid[3]) == 4)
			found |= 4;
		else if (sscanf(line, "CapPrm:\t%llx", &c->cap_prm) == 1)
			found |= 8;
		else if (sscanf(line, "CapEff:\t%llx", &c->cap_eff) == 1)
			found |= 16;
	}
	fclose(f);
	return found == 31 ? 0 : -ESRCH;
}

static int forbid(const struct lens_owner *o, uint32_t pid, const struct proc_creds *c,
		  char *why, size_t len, const char *what)
{
	snprintf(why, len, "pid %u (%s) %s: as uid %u you may trace only your own processes, as "
		 "ptrace would allow; run as root to trace it", pid, c->name, what, (unsigned)o->uid);
	return -EPERM;
}

int lens_may_trace(const struct lens_owner *o, uint32_t pid, char *why, size_t len)
{
	struct proc_creds c = {};
	char path[32], what[96];
	struct stat st;
	int i, err;

	if (!o->confined)
		return 0;
	err = read_status(pid, &c);
	if (err) {
		snprintf(why, len, "no process with pid %u", pid);
		return err;
	}
	for (i = 0; i < 4; i++) {
		if (c.uid[i] != o->uid) {
			snprintf(what, sizeof(what), "runs as uid %lu/%lu/%lu/%lu (real/effective/saved/fs)",
				 c.uid[0], c.uid[1], c.uid[2], c.uid[3]);
			return forbid(o, pid, &c, why, len, what);
		}
		if (c.gid[i] != o->gid) {
			snprintf(what, sizeof(what), "runs as gid %lu/%lu/%lu/%lu (real/effective/saved/fs)",
				 c.gid[0], c.gid[1], c.gid[2], c.gid[3]);
			return forbid(o, pid, &c, why, len, what);
		}
	}
	if (c.cap_prm || c.cap_eff)
		return forbid(o, pid, &c, why, len, "holds capabilities");
	/* /proc/pid belongs to root unless the process is dumpable (task_dump_owner). */
	snprintf(path, sizeof(path), "/proc/%u", pid);
	if (stat(path, &st))
		return -errno;
	if (st.st_uid != o->uid)
		return forbid(o, pid, &c, why, len, "is not dumpable");
	return 0;
}

int lens_drop_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2] = {};

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	if (syscall(SYS_capset, &hdr, none))
		return -errno;
	return 0;
}

int lens_user_sessions(uid_t uid)
{
	struct proc_creds c;
	struct dirent *de;
	int n = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		memset(&c, 0, sizeof(c));
		if (read_status(strtoul(de->d_name, NULL, 10), &c) == 0 && c.uid[0] == uid &&
		    (c.cap_eff >> CAP_BPF_BIT) & 1)
			n++;
	}
	closedir(dir);
	return n;
}
