// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include "events.h"
#include "output_helpers.h"
#include "report_helpers.h"

void lens_report(uint32_t code, int err, const char *fmt, ...)
{
	struct lens_error e = { .code = code, .errno_val = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	fprintf(stderr, "lens-probe: %s\n", e.message);
	lens_out_packet(LENS_PACKET_ERROR, &e, sizeof(e));
}
