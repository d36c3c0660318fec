// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "attach_helpers.h"
#include "hookcheck_helpers.h"
#include "events.h"
#include "hookcheck.skel.h"
#include "mmap.skel.h"

static void line(int fd, const char *hook, int err, const char *detail)
{
	dprintf(fd, "hook\t%s\t%s\t%s\n", hook, err ? strerrorname_np(err) : "ok", err ? detail : "");
}

static int try_attach(int fd, struct bpf_program *prog, const char *hook, bool root)
{
	const char *sec = bpf_program__section_name(prog);
	struct bpf_link *link = bpf_program__attach(prog);
	char detail[256];
	int err;

	if (link) {
		bpf_link__destroy(link);
		line(fd, hook, 0, "");
		return 0;
	}
	err = errno;
	snprintf(detail, sizeof(detail), "cannot attach %s: %s%s", sec, strerror(err),
		 lens_attach_hint(sec, err, root));
	line(fd, hook, err, detail);
	return 1;
}

/* The code-mapping module (--stacks) loads only where the task VMA iterator kfuncs exist (6.7+). */
static int check_code_mappings(int fd)
{
	struct lens_mmap *m = lens_mmap__open();
	char detail[256];
	int err = m ? lens_mmap__load(m) : -errno;

	snprintf(detail, sizeof(detail), "cannot load the code-mapping programs: %s (the verifier "
		 "log is on stderr)", strerror(-err));
	line(fd, "code_mappings", -err, detail);
	lens_mmap__destroy(m);
	return err != 0;
}

int lens_check_hooks(int fd, bool root)
{
	struct lens_hookcheck *skel = lens_hookcheck__open();
	char detail[256];
	int err, bad = 0;

	err = skel ? lens_hookcheck__load(skel) : -errno;
	if (err) {
		snprintf(detail, sizeof(detail), "cannot load programs with a ring buffer and task "
			 "storage: %s", strerror(-err));
		line(fd, "load", -err, detail);
		lens_hookcheck__destroy(skel);
		return 1;
	}
	line(fd, "load", 0, "");
	bad |= try_attach(fd, skel->progs.lens_chk_tp, "tracepoint", root);
	bad |= try_attach(fd, skel->progs.lens_chk_rawtp, "raw_tracepoint", root);
	bad |= try_attach(fd, skel->progs.lens_chk_uprobe, "uprobe", root);
	lens_hookcheck__destroy(skel);
	return bad | check_code_mappings(fd);
}
