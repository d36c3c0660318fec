/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * LENS_CMD_PYTHON from user space: checks what the agent sent (the pid, and
 * offsets that are numbers in range; nothing is read from the process
 * here) and registers the process in lens_py_procs for the kernel walk
 * (pystack.bpf.h).
 */
#ifndef LENS_PYTHON_HELPERS_H
#define LENS_PYTHON_HELPERS_H

#include "commands_helpers.h"
#include "creds_helpers.h"

/*
 * Registers cmd's process (LENS_OP_PYTHON) in the map behind procs_fd, as
 * owner may (what ptrace allows), and sets the flag behind any_fd (the
 * kernel looks processes up once one is registered). A refusal is reported (an ERROR packet):
 * LENS_ERR_NO_SUCH_PID, LENS_ERR_FORBIDDEN, LENS_ERR_USAGE for bad values,
 * LENS_ERR_INTERNAL when the map is full or missing.
 */
void lens_python_register(int procs_fd, int any_fd, const struct lens_owner *owner, const struct lens_command *cmd);

#endif /* LENS_PYTHON_HELPERS_H */
