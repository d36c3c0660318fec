/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Frames in code no mapped file holds: a pc in anonymous executable memory is
 * JIT code (V8, a JVM, LuaJIT, PyPy…), named from the runtime's perf map
 * (/tmp/perf-PID.map, "START SIZE name" a line) when it writes one. */
#ifndef LENS_SYMBOLIZE_JIT_H
#define LENS_SYMBOLIZE_JIT_H

#include <stddef.h>
#include <stdint.h>
#include "wire.h"

#define LSYM_JIT_NO_MAP "JIT without a map"
#define LSYM_JIT_MAPPED "JIT code: the perf map names the function, not the line"

struct lsym_jit;

/* A perf map's entries, parsed from text (untrusted: every malformed line is skipped). */
struct lsym_perf_map;
struct lsym_perf_map *lsym_perf_map_parse(const char *text, size_t len);
void lsym_perf_map_free(struct lsym_perf_map *m);
/* The name of the entry holding pc (the latest written when several do), or NULL. */
const char *lsym_perf_map_lookup(const struct lsym_perf_map *m, uint64_t pc);

struct lsym_jit *lsym_jit_new(int max_procs);
void lsym_jit_free(struct lsym_jit *j);
/* Fills f (a frame outside every mapped file) for req's process: the function
 * from its perf map and why there is no line, when pc is in anonymous executable memory. */
void lsym_jit_frame(struct lsym_jit *j, const struct lsym_request *req, uint64_t pc, struct lsym_frame *f);
void lsym_jit_forget(struct lsym_jit *j, uint32_t pid, uint64_t start);

#endif
