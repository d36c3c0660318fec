/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Modules from the mappings a request carries (the probe's records of a
 * process's code mappings as they were at the event) instead of from
 * /proc/PID/maps, which may be gone or show mappings made since. */
#ifndef LENS_SYMBOLIZE_MAPPINGS_H
#define LENS_SYMBOLIZE_MAPPINGS_H

#include <stdbool.h>
#include <string.h>
#include <elfutils/libdwfl.h>
#include "wire.h"

/* Module names of mapped files that cannot be read any more: their frames say why. */
#define LSYM_DELETED_SUFFIX " (deleted)"
#define LSYM_REPLACED_SUFFIX " (replaced)"

/* Whether s ends with suffix (a module name with one of the suffixes above). */
static inline bool lsym_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The file of req's mapping named name at start, opened if it is still the one mapped; -1 if not. */
int lsym_open_mapping(const struct lsym_request *req, const char *name, uint64_t start);

/* Reports each mapped file of req to dwfl (between dwfl_report_begin and _end). */
void lsym_report_mappings(Dwfl *dwfl, const struct lsym_request *req);

#endif
