/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The eBPF modules (one per *.bpf.c) as a table, and their loader: for each
 * module the --events groups want, open -> set rodata -> load, then attach
 * them all. One stderr line (and ERROR packet) per failing step. A required
 * module that fails ends the probe (LENS_ERR_ATTACH); a degradable one costs
 * its own event groups only (LENS_ERR_DEGRADED).
 */
#ifndef LENS_MODULES_HELPERS_H
#define LENS_MODULES_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "args_helpers.h"
#include "creds_helpers.h"

struct bpf_object;
struct lens_bpf;

/* One module: its skeleton behind uniform entry points. */
struct lens_module {
	const char *name;
	unsigned int wanted_by;  /* enum lens_group: loaded when one is asked for (0: always) */
	unsigned int provides;   /* enum lens_group whose kinds its programs emit */
	bool required;           /* its failure ends the probe; else only its groups are lost */
	bool with_stacks;        /* loaded only with --stacks (and then whatever the groups) */
	uint32_t kinds;          /* 1 << enum lens_kind it emits beyond its groups' kinds */
	const char *lost;        /* what a failure of this degradable module costs (default: its events) */
	/* the skeleton; open is NULL when its .bpf.c was not part of this build */
	void *(*open)(void);
	struct bpf_object *(*obj)(void *skel);
	struct lens_config *(*cfg)(void *skel);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
	/* optional: rodata of its own, set between open and load */
	void (*set_rodata)(void *skel, const struct lens_opts *o);
	/* optional: maps of its own the run uses, once it is attached */
	void (*publish)(void *skel, struct lens_bpf *b);
};

/* The registry, in load order: the first module creates the maps the others share. */
extern const struct lens_module lens_modules[];
extern const size_t lens_n_modules;

/* What the loaded modules give the run. Map fds live until lens_bpf_unload(). */
struct lens_bpf {
	struct lens_loaded *loaded;  /* per module: skeleton and links */
	int events_fd;               /* lens_events, the ring buffer */
	int tracked_fd;              /* lens_tracked */
	int pidbits_fd;              /* lens_pidbits */
	int drops_fd;                /* lens_drops */
	int submitted_fd;            /* lens_submitted */
	int sysagg_fd;               /* the syscall aggregate, -1 without the syscall module */
	int py_procs_fd;             /* lens_py_procs: Python processes whose frames are walked */
	int py_any_fd;               /* lens_py_any: set once one is */
	uint32_t *held_tgid;         /* the syscall module's held child, NULL without it */
	uint32_t kinds;              /* 1 << kind for each kind whose programs are attached */
};

/*
 * Loads and attaches every module o->groups wants, as owner's probe.
 * Returns 0 (degraded modules reported and left out), or -1 when a
 * required step failed (reported). Call lens_bpf_unload() either way.
 */
int lens_bpf_load(struct lens_bpf *b, const struct lens_opts *o, const struct lens_owner *owner);

/* Detaches and frees every module, in reverse order. Safe on a partial or empty load. */
void lens_bpf_unload(struct lens_bpf *b);

#endif /* LENS_MODULES_HELPERS_H */
