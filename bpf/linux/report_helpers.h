/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lens-probe's errors: one human line on stderr for whoever runs it by
 * hand, and the same words in an ERROR packet for the agent.
 */
#ifndef LENS_REPORT_HELPERS_H
#define LENS_REPORT_HELPERS_H

#include <stdint.h>

/* code: enum lens_error_code; err: errno of the failing step (0 if none). */
void lens_report(uint32_t code, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* LENS_REPORT_HELPERS_H */
