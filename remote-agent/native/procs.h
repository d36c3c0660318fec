/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The processes lens-symbolize knows: one libdwfl session (modules from the
 * request's mappings, else from /proc/PID/maps) per process key, least
 * recently used dropped first. */
#ifndef LENS_SYMBOLIZE_PROCS_H
#define LENS_SYMBOLIZE_PROCS_H

#include <stdbool.h>
#include <elfutils/libdwfl.h>
#include "wire.h"

struct lsym_proc {
	uint32_t pid;
	uint64_t start;
	uint32_t gen;
	Dwfl *dwfl;                      /* NULL when the maps could not be read */
	bool from_table;                 /* modules from the request's mappings, not /proc/PID/maps */
	const char *error;               /* why, when dwfl is NULL */
	uint64_t used;                   /* LRU stamp */
	uint32_t since_read;             /* requests served since the maps were read */
	const struct lsym_request *req;  /* the request being answered (unwind callbacks) */
	bool unreadable;                 /* the unwind needed memory neither the snapshot nor a file has */
	uint64_t unreadable_at;          /* the first such address */
};

struct lsym_procs {
	struct lsym_proc *slots;
	int count, max;
	uint64_t clock;
	char *debuginfo_path;
	Dwfl_Callbacks callbacks;
};

/* Opens path read-only, without blocking, and only when it is a regular file; -1 otherwise (errno set). */
int lsym_open_regular(const char *path);

int lsym_procs_init(struct lsym_procs *ps, int max, const char *debuginfo_path);
void lsym_procs_free(struct lsym_procs *ps);
/* The entry for the request's process, made or refreshed (new gen) as needed. */
struct lsym_proc *lsym_procs_get(struct lsym_procs *ps, const struct lsym_request *req);
/* Rereads the process's maps (a pc fell outside every known module). */
void lsym_proc_reread(struct lsym_procs *ps, struct lsym_proc *p);
void lsym_procs_forget(struct lsym_procs *ps, uint32_t pid, uint64_t start);

#endif
