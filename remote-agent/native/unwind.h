/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Unwinding a copied user stack with the DWARF CFI of the mapped objects. */
#ifndef LENS_SYMBOLIZE_UNWIND_H
#define LENS_SYMBOLIZE_UNWIND_H

#include <stdbool.h>
#include "procs.h"

struct lsym_pcs {
	uint64_t pc[LSYM_MAX_FRAMES];
	bool activation[LSYM_MAX_FRAMES]; /* pc is where execution is, not a return address */
	int count;
	const char *truncation; /* why the walk stopped before the outermost frame, or NULL */
};

/* Attaches the snapshot-reading thread callbacks to the process's session. */
bool lsym_unwind_attach(struct lsym_proc *p);
/* Walks p->req's registers and stack, innermost frame first. */
void lsym_unwind(struct lsym_proc *p, struct lsym_pcs *out);

#endif
