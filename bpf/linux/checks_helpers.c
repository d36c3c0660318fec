// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "events.h"
#include "checks_helpers.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static const char *self_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n <= 0)
		return "lens-probe";
	buf[n] = '\0';
	return buf;
}

static int check_privilege(char *msg, size_t len, int *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	char exe[PATH_MAX];

	if (syscall(SYS_capget, &hdr, data)) {
		*err = errno;
		snprintf(msg, len, "cannot read this process's capabilities: %s", strerror(errno));
		return LENS_ERR_INTERNAL;
	}
	if (has_cap(data, CAP_SYS_ADMIN) ||
	    (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)))
		return 0;
	*err = EPERM;
	snprintf(msg, len,
		 "loading eBPF programs needs CAP_BPF and CAP_PERFMON: run as root, or grant "
		 "capabilities: sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep %s",
		 self_path(exe, sizeof(exe)));
	return LENS_ERR_PRIVILEGE;
}

static int check_btf(char *msg, size_t len, int *err)
{
	if (faccessat(AT_FDCWD, "/sys/kernel/btf/vmlinux", R_OK, AT_EACCESS) == 0)
		return 0;
	*err = errno;
	snprintf(msg, len,
		 "this kernel has no BTF (/sys/kernel/btf/vmlinux: %s): lens-probe needs a "
		 "kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, Fedora kernels have it)",
		 strerror(errno));
	return LENS_ERR_NO_BTF;
}

static int check_tracefs(char *msg, size_t len, int *err)
{
	char exe[PATH_MAX];

	/* AT_EACCESS: access() would ignore the file capabilities lens-probe may run with. */
	if (faccessat(AT_FDCWD, LENS_TRACEFS "/events", F_OK, AT_EACCESS) != 0 && errno == ENOENT &&
	    mount("tracefs", LENS_TRACEFS, "tracefs", 0, NULL) != 0) {
		*err = errno;
		snprintf(msg, len,
			 "tracefs is not mounted and mounting it failed (%s): run "
			 "sudo mount -t tracefs tracefs " LENS_TRACEFS,
			 strerror(errno));
		return LENS_ERR_TRACEFS;
	}
	if (faccessat(AT_FDCWD, LENS_TRACEFS "/events/syscalls", R_OK | X_OK, AT_EACCESS) != 0) {
		*err = errno;
		if (errno == EACCES || errno == EPERM) {
			snprintf(msg, len,
				 "cannot read " LENS_TRACEFS "/events (%s): run as root, or grant "
				 "capabilities: sudo setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep %s",
				 strerror(errno), self_path(exe, sizeof(exe)));
			return LENS_ERR_PRIVILEGE;
		}
		snprintf(msg, len,
			 "no syscall tracepoints in " LENS_TRACEFS "/events/syscalls (%s): the "
			 "kernel needs CONFIG_FTRACE_SYSCALLS=y",
			 strerror(errno));
		return LENS_ERR_TRACEFS;
	}
	return 0;
}

int lens_check_system(char *msg, size_t len, int *err)
{
	int code;

	*err = 0;
	code = check_privilege(msg, len, err);
	if (!code)
		code = check_btf(msg, len, err);
	if (!code)
		code = check_tracefs(msg, len, err);
	return code;
}

int lens_tracepoint_exists(const char *category, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), LENS_TRACEFS "/events/%s/%s", category, name);
	return faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) == 0;
}
