// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Per-process libdwfl sessions: modules reported from /proc/PID/maps (read as
 * the user, so only processes the user may inspect), files opened without ever
 * blocking on a special file, a deleted main executable read back through
 * /proc/PID/exe, and separate debug files found by build-id and debuglink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mappings.h"
#include "procs.h"
#include "unwind.h"


/* libdwfl opens module files lazily and its find_elf callback gets no user
 * argument: the process being reported or unwound (the helper is one thread). */
static const struct lsym_proc *opening;

int lsym_open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

/* A deleted executable is still readable through /proc/PID/exe while the
 * process lives; deleted libraries are not (map_files needs privilege). */
static int open_deleted(const char *name)
{
	char link[64], target[4096];
	ssize_t n;

	if (!opening)
		return -1;
	snprintf(link, sizeof(link), "/proc/%u/exe", opening->pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	return strcmp(target, name) == 0 ? lsym_open_regular(link) : -1;
}

static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	int fd;

	/* from a request's mappings: the mapping that module was reported for, if still the file mapped */
	if (opening && opening->from_table) {
		fd = opening->req ? lsym_open_mapping(opening->req, name, base) : -1;
		if (fd >= 0)
			*file_name = strdup(name);
		return fd;
	}
	if (name[0] != '/')
		return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	fd = lsym_ends_with(name, LSYM_DELETED_SUFFIX) ? open_deleted(name) : lsym_open_regular(name);
	if (fd < 0)
		return -1;
	*file_name = strdup(name);
	return fd;
}

/* A process's session unwinds with the CFI of the mapped files (.eh_frame)
 * and never opens a separate debug file: libdw decompresses a whole debug file
 * at open, which per short-lived process was most of the helper's time.
 * Lines come from the shared per-file sessions (debugfiles.h). */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

int lsym_procs_init(struct lsym_procs *ps, int max, const char *debuginfo_path)
{
	memset(ps, 0, sizeof(*ps));
	ps->max = max;
	ps->slots = calloc((size_t)max, sizeof(*ps->slots));
	ps->debuginfo_path = debuginfo_path ? strdup(debuginfo_path) : NULL;
	ps->callbacks.find_elf = find_elf;
	ps->callbacks.find_debuginfo = no_debuginfo;
	ps->callbacks.section_address = dwfl_offline_section_address;
	ps->callbacks.debuginfo_path = &ps->debuginfo_path;
	return ps->slots ? 0 : -1;
}

static void drop(struct lsym_proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	memset(p, 0, sizeof(*p));
}

static const char *maps_error(int err)
{
	switch (err) {
	case ENOENT:
	case ESRCH:
		return "process exited before its maps were read";
	case EACCES:
	case EPERM:
		return "maps not readable: the process belongs to another user (run the agent as that user or as root)";
	default:
		return "maps not readable";
	}
}

static void load(struct lsym_procs *ps, struct lsym_proc *p, const struct lsym_request *req)
{
	int rc = 0;

	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->error = NULL;
	p->since_read = 0;
	p->dwfl = dwfl_begin(&ps->callbacks);
	if (!p->dwfl) {
		p->error = "libdwfl could not start a session (out of memory?)";
		return;
	}
	opening = p;
	p->req = req;  /* modules' files are opened from it (find_elf), attaching the unwinder included */
	p->from_table = req->maps != NULL;
	dwfl_report_begin(p->dwfl);
	if (p->from_table)
		lsym_report_mappings(p->dwfl, req);
	else
		rc = dwfl_linux_proc_report(p->dwfl, (pid_t)p->pid);
	dwfl_report_end(p->dwfl, NULL, NULL);
	if (rc != 0) {
		p->error = rc > 0 ? maps_error(rc) : "maps could not be parsed";
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
		return;
	}
	if (!lsym_unwind_attach(p)) {
		p->error = "libdwfl could not attach the unwinder (no x86_64 module?)";
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
	}
}

struct lsym_proc *lsym_procs_get(struct lsym_procs *ps, const struct lsym_request *req)
{
	struct lsym_proc *p = NULL, *oldest = NULL;

	for (int i = 0; i < ps->count; i++) {
		struct lsym_proc *s = &ps->slots[i];

		if (s->pid == req->pid && s->start == req->start) {
			p = s;
			break;
		}
		/* a forgotten process's slot (pid 0) is the first to take */
		if (!oldest || (oldest->pid && (!s->pid || s->used < oldest->used)))
			oldest = s;
	}
	if (!p) {
		if (oldest && !oldest->pid) {
			p = oldest;
		} else if (ps->count < ps->max) {
			p = &ps->slots[ps->count++];
		} else {
			p = oldest;
			drop(p);
		}
		p->pid = req->pid;
		p->start = req->start;
		p->gen = req->gen;
		load(ps, p, req);
	} else if (p->gen != req->gen) {
		p->gen = req->gen;
		load(ps, p, req);
	}
	p->used = ++ps->clock;
	p->since_read++;
	p->req = req;
	opening = p;
	return p;
}

void lsym_proc_reread(struct lsym_procs *ps, struct lsym_proc *p)
{
	const struct lsym_request *req = p->req;

	load(ps, p, req);
	p->req = req;
}

/* The slot is emptied where it is: a slot never moves, since its libdwfl
 * session keeps its address for the unwinder's callbacks. */
void lsym_procs_forget(struct lsym_procs *ps, uint32_t pid, uint64_t start)
{
	opening = NULL;
	for (int i = 0; i < ps->count; i++) {
		if (ps->slots[i].pid == pid && ps->slots[i].start == start) {
			drop(&ps->slots[i]);
			return;
		}
	}
}

void lsym_procs_free(struct lsym_procs *ps)
{
	opening = NULL;
	for (int i = 0; i < ps->count; i++)
		drop(&ps->slots[i]);
	free(ps->slots);
	free(ps->debuginfo_path);
	memset(ps, 0, sizeof(*ps));
}
