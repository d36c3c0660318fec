// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The unwinder sees the process as the kernel copied it at the event: the
 * registers and the stack snapshot of the request. Memory outside the snapshot
 * is answered from the mapped files (as perf's unwind-libdw.c does), never from
 * the live process, whose stack has moved on since. */
#include <string.h>
#include <gelf.h>
#include "unwind.h"

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct lsym_proc *p = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = p;
	return (pid_t)(p->req && p->req->tid ? p->req->tid : p->pid);
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

static bool read_file_word(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
	Dwarf_Addr bias;
	Elf *elf;
	size_t n, size;
	char *raw;

	if (!mod || !(elf = dwfl_module_getelf(mod, &bias)) || elf_getphdrnum(elf, &n) != 0)
		return false;
	raw = elf_rawfile(elf, &size);
	if (!raw)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		Dwarf_Addr va = addr - bias;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (va < ph.p_vaddr || ph.p_filesz < sizeof(*result) ||
		    va - ph.p_vaddr > ph.p_filesz - sizeof(*result))
			continue;
		if (ph.p_offset + (va - ph.p_vaddr) + sizeof(*result) > size)
			return false;
		memcpy(result, raw + ph.p_offset + (va - ph.p_vaddr), sizeof(*result));
		return true;
	}
	return false;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct lsym_proc *p = arg;
	const struct lsym_request *r = p->req;

	if (addr >= r->stack_addr && r->stack_len >= sizeof(*result) &&
	    addr - r->stack_addr <= r->stack_len - sizeof(*result)) {
		memcpy(result, r->stack + (addr - r->stack_addr), sizeof(*result));
		return true;
	}
	if (read_file_word(dwfl, addr, result))
		return true;
	if (!p->unreadable) {
		p->unreadable = true;
		p->unreadable_at = addr;
	}
	return false;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct lsym_request *r = ((struct lsym_proc *)arg)->req;
	Dwarf_Word regs[LSYM_NREGS];

	for (int i = 0; i < LSYM_NREGS; i++)
		regs[i] = r->regs[i];
	return dwfl_thread_state_registers(thread, 0, LSYM_NREGS, regs);
}

static const Dwfl_Thread_Callbacks callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

bool lsym_unwind_attach(struct lsym_proc *p)
{
	return dwfl_attach_state(p->dwfl, NULL, (pid_t)p->pid, &callbacks, p);
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct lsym_pcs *out = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (out->count == LSYM_MAX_FRAMES) {
		out->truncation = "more frames than the helper reports (128)";
		return DWARF_CB_ABORT;
	}
	/* A return address of 0 ends the stack on x86_64 (the ABI's outermost frame). */
	if (pc == 0 && out->count > 0)
		return DWARF_CB_ABORT;
	out->pc[out->count] = pc;
	out->activation[out->count] = activation;
	out->count++;
	return DWARF_CB_OK;
}

void lsym_unwind(struct lsym_proc *p, struct lsym_pcs *out)
{
	const struct lsym_request *r = p->req;
	int rc;

	memset(out, 0, sizeof(*out));
	p->unreadable = false;
	rc = dwfl_getthread_frames(p->dwfl, (pid_t)(r->tid ? r->tid : r->pid), on_frame, out);
	/* libdwfl ends the walk quietly when a return address cannot be read */
	if (rc == 0 && p->unreadable && !out->truncation) {
		if (p->unreadable_at >= r->stack_addr + r->stack_len && p->unreadable_at - r->stack_addr < (1u << 20))
			out->truncation = "the stack snapshot ended before the outermost frame";
		else
			out->truncation = "the unwind needed memory outside the stack snapshot (registers do not match the stack?)";
	}
	if (rc == -1 && !out->truncation && out->count > 0) {
		int err = dwfl_errno();
		Dwarf_Addr last = out->pc[out->count - 1];

		if (!dwfl_addrmodule(p->dwfl, last - !out->activation[out->count - 1]))
			out->truncation = "a frame is outside every mapped file (JIT or anonymous code without unwind information)";
		else
			out->truncation = err ? dwfl_errmsg(err) : "the stack snapshot ended or the unwind information stops here";
	}
	if (out->count == 0)
		out->truncation = "no frame: the registers do not describe a user stack";
}
