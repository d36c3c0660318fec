/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One libdwfl session per module file, shared by every process that maps it:
 * its separate debug file (found by build-id or debuglink, often compressed)
 * is opened and decompressed once per helper lifetime, not once per process.
 * Bounded: the least recently used file is closed first. */
#ifndef LENS_SYMBOLIZE_DEBUGFILES_H
#define LENS_SYMBOLIZE_DEBUGFILES_H

#include <elfutils/libdwfl.h>

struct lsym_debugfiles;

struct lsym_debugfiles *lsym_debugfiles_new(int max, const char *debuginfo_path);
void lsym_debugfiles_free(struct lsym_debugfiles *d);
/* The shared module for the file of a process's module mod (same build-id),
 * and pc (an address in the process) moved into it; NULL when the file cannot
 * be opened again by its name (deleted, replaced, special) or differs. */
Dwfl_Module *lsym_debugfiles_module(struct lsym_debugfiles *d, Dwfl_Module *mod, const char *name,
				    Dwarf_Addr pc, Dwarf_Addr *shared_pc);

#endif
