// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Shared, per-file libdwfl sessions for symbolization (debugfiles.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "debugfiles.h"
#include "procs.h"

struct shared {
	char *name;
	Dwfl *dwfl;        /* NULL: the file could not be opened or reported */
	Dwfl_Module *mod;
	uint64_t used;
};

struct lsym_debugfiles {
	struct shared *slots;
	int count, max;
	uint64_t clock;
	char *debuginfo_path;
	Dwfl_Callbacks callbacks;
};

struct lsym_debugfiles *lsym_debugfiles_new(int max, const char *debuginfo_path)
{
	struct lsym_debugfiles *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->max = max;
	d->slots = calloc((size_t)max, sizeof(*d->slots));
	d->debuginfo_path = debuginfo_path ? strdup(debuginfo_path) : NULL;
	/* files are reported with an open descriptor: find_elf is never asked */
	d->callbacks.find_elf = dwfl_build_id_find_elf;
	d->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	d->callbacks.section_address = dwfl_offline_section_address;
	d->callbacks.debuginfo_path = &d->debuginfo_path;
	if (!d->slots) {
		free(d);
		return NULL;
	}
	return d;
}

static void drop(struct shared *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

void lsym_debugfiles_free(struct lsym_debugfiles *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->count; i++)
		drop(&d->slots[i]);
	free(d->slots);
	free(d->debuginfo_path);
	free(d);
}

static void open_shared(struct lsym_debugfiles *d, struct shared *s, const char *name)
{
	int fd = lsym_open_regular(name);

	s->name = strdup(name);
	if (fd < 0 || !s->name || !(s->dwfl = dwfl_begin(&d->callbacks))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	dwfl_report_begin(s->dwfl);
	/* dwfl_report_offline owns fd from here, on failure too */
	s->mod = dwfl_report_offline(s->dwfl, name, name, fd);
	dwfl_report_end(s->dwfl, NULL, NULL);
	if (!s->mod) {
		dwfl_end(s->dwfl);
		s->dwfl = NULL;
	}
}

static struct shared *lookup(struct lsym_debugfiles *d, const char *name)
{
	struct shared *s = NULL, *oldest = NULL;

	for (int i = 0; i < d->count; i++) {
		if (strcmp(d->slots[i].name, name) == 0) {
			s = &d->slots[i];
			break;
		}
		if (!oldest || d->slots[i].used < oldest->used)
			oldest = &d->slots[i];
	}
	if (!s) {
		if (d->count < d->max) {
			s = &d->slots[d->count++];
		} else {
			s = oldest;
			drop(s);
		}
		open_shared(d, s, name);
		if (!s->name) {
			/* out of memory: leave no slot without a name */
			drop(s);
			if (s == &d->slots[d->count - 1])
				d->count--;
			return NULL;
		}
	}
	s->used = ++d->clock;
	return s;
}

static bool same_build_id(Dwfl_Module *a, Dwfl_Module *b)
{
	const unsigned char *ia, *ib;
	GElf_Addr va;
	int na = dwfl_module_build_id(a, &ia, &va);
	int nb = dwfl_module_build_id(b, &ib, &va);

	if (na <= 0 || nb <= 0)
		return na <= 0 && nb <= 0;
	return na == nb && memcmp(ia, ib, (size_t)na) == 0;
}

Dwfl_Module *lsym_debugfiles_module(struct lsym_debugfiles *d, Dwfl_Module *mod, const char *name,
				    Dwarf_Addr pc, Dwarf_Addr *shared_pc)
{
	Dwarf_Addr bias, sbias;
	struct shared *s;

	if (!d || name[0] != '/' || !dwfl_module_getelf(mod, &bias))
		return NULL;
	s = lookup(d, name);
	if (s && s->dwfl && !same_build_id(mod, s->mod)) {
		/* the file at that name was replaced since it was opened: open it again */
		drop(s);
		open_shared(d, s, name);
		if (!s->name)
			return NULL;
		s->used = ++d->clock;
	}
	if (!s || !s->dwfl || !dwfl_module_getelf(s->mod, &sbias) || !same_build_id(mod, s->mod))
		return NULL;
	*shared_pc = pc - bias + sbias;
	return s->mod;
}
