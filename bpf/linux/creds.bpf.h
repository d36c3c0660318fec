/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A probe run by a non-root user (lens_cfg.confine) follows a process only
 * while that user could ptrace it. Checked at every exec, the one point where
 * a process of theirs can gain privileges (setuid, setgid, file capabilities)
 * or become non-dumpable (an unreadable binary).
 */
#ifndef LENS_CREDS_BPF_H
#define LENS_CREDS_BPF_H

#include "common.bpf.h"

#define LENS_F_UNTRACED_ANY (LENS_F_UNTRACED_SETUID | LENS_F_UNTRACED_SETGID | \
			     LENS_F_UNTRACED_CAPS | LENS_F_UNTRACED_NODUMP)
#define LENS_MMF_DUMPABLE_MASK 3  /* include/linux/sched/coredump.h */
#define LENS_SUID_DUMP_USER 1

/*
 * mm->flags: an unsigned long until 6.18, then mm_flags_t, a bitmap whose
 * first word holds the same bits (commit "mm: convert mm->flags to
 * mm_flags_t"). Read as one word at the field's relocated offset, it is
 * right on both.
 */
static __always_inline unsigned long lens_mm_flags_word(struct task_struct *task)
{
	unsigned long word = 0;
	void *mm = BPF_CORE_READ(task, mm);

	if (mm)
		bpf_probe_read_kernel(&word, sizeof(word),
				      mm + bpf_core_field_offset(struct mm_struct, flags));
	return word;
}

/*
 * Call in sched_process_exec (the new credentials are committed): the
 * LENS_F_UNTRACED_* reasons the owner could not ptrace the current process
 * now, 0 when they still could (all uids and gids theirs, no capabilities,
 * dumpable). Always 0 for a root probe.
 */
static __always_inline __u16 lens_exec_untraced(void)
{
	struct task_struct *task = lens_current_task();
	const struct cred *c = task->cred;
	__u32 uid = lens_cfg.owner_uid, gid = lens_cfg.owner_gid;
	__u16 why = 0;

	if (!lens_cfg.confine)
		return 0;
	if (c->uid.val != uid || c->euid.val != uid || c->suid.val != uid || c->fsuid.val != uid)
		why |= LENS_F_UNTRACED_SETUID;
	if (c->gid.val != gid || c->egid.val != gid || c->sgid.val != gid || c->fsgid.val != gid)
		why |= LENS_F_UNTRACED_SETGID;
	if (c->cap_permitted.val || c->cap_effective.val || c->cap_ambient.val)
		why |= LENS_F_UNTRACED_CAPS;
	if ((lens_mm_flags_word(bpf_get_current_task_btf()) & LENS_MMF_DUMPABLE_MASK) !=
	    LENS_SUID_DUMP_USER)
		why |= LENS_F_UNTRACED_NODUMP;
	return why;
}

#endif /* LENS_CREDS_BPF_H */
