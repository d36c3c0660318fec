/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A pc to source frames: function, file, line, column, inlined calls expanded,
 * cached by (build-id, file name, offset in the module) so every process
 * sharing a library shares the answers. */
#ifndef LENS_SYMBOLIZE_SYMBOLS_H
#define LENS_SYMBOLIZE_SYMBOLS_H

#include <elfutils/libdwfl.h>
#include "debugfiles.h"
#include "wire.h"

#define LSYM_MAX_INLINE 16

struct lsym_symbols;

/* files: where DWARF is read from (shared per-file sessions), NULL for the process's modules */
struct lsym_symbols *lsym_symbols_new(size_t max_entries, struct lsym_debugfiles *files);
void lsym_symbols_free(struct lsym_symbols *s);
/* Called between requests: drops the cache when it is over its bound (frames
 * handed out stay valid until then). */
void lsym_symbols_trim(struct lsym_symbols *s);
/* Frames for pc (innermost inlined call first); *frames points into the cache.
 * activation: pc is the faulting/current instruction, not a return address. */
int lsym_symbolize(struct lsym_symbols *s, Dwfl *dwfl, uint64_t pc, bool activation,
		   const struct lsym_frame **frames);

#endif
