// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The loader of the module table (modules_helpers.h): open -> set rodata ->
 * load for each wanted module, then attach; a degradable module that fails
 * a step is unloaded and the others go on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "attach_helpers.h"
#include "checks_helpers.h"
#include "modules_helpers.h"
#include "report_helpers.h"

#define LENS_MAX_LINKS 64

/* One module as loaded. */
struct lens_loaded {
	void *skel;
	struct bpf_link *links[LENS_MAX_LINKS];
	int nlinks;
};

/* The maps the first module creates and every other module reuses. */
static const char *const shared_maps[] = { "lens_events", "lens_tracked", "lens_pidbits",
					   "lens_drops", "lens_submitted",
					   /* per-CPU scratch: one copy, not one per module */
					   "lens_rec_scr", "lens_stack_scr",
					   /* Python frames: one registry and one scratch */
					   "lens_py_procs", "lens_py_any", "lens_py_scr" };

/* A failing degradable module costs its own event groups only. */
static uint32_t failure_code(const struct lens_module *m)
{
	return m->required ? LENS_ERR_ATTACH : LENS_ERR_DEGRADED;
}

static bool module_wanted(const struct lens_module *m, const struct lens_opts *o)
{
	if (m->with_stacks)
		return o->stacks;
	return !m->wanted_by || (m->wanted_by & o->groups);
}

/* What a degradable module's failure costs, for its error message. */
static const char *lost_what(const struct lens_module *m)
{
	return m->lost ? m->lost : "its events are not traced";
}

/* Tracepoints this kernel/arch lacks (open, creat... on arm64) are skipped. */
static void skip_missing_tracepoints(const struct lens_module *m, void *skel)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, m->obj(skel)) {
		const char *sec = bpf_program__section_name(prog);
		char cat[64], name[128];

		if (strncmp(sec, "tp/", 3) && strncmp(sec, "tracepoint/", 11))
			continue;
		if (sscanf(strchr(sec, '/') + 1, "%63[^/]/%127s", cat, name) != 2)
			continue;
		if (!lens_tracepoint_exists(cat, name)) {
			bpf_program__set_autoload(prog, false);
			fprintf(stderr, "lens-probe: %s: tracepoint %s/%s does not exist on this "
				"kernel, %s skipped\n", m->name, cat, name, bpf_program__name(prog));
		}
	}
}

static void set_rodata(const struct lens_module *m, void *skel, const struct lens_opts *o,
		       const struct lens_owner *owner)
{
	struct lens_config *cfg = m->cfg(skel);

	cfg->kinds_mask = lens_kinds_of(o->groups);
	cfg->wakeup_bytes = o->ringbuf_bytes / 4;
	cfg->syscall_mode = (o->groups & G_SYSCALL ? LENS_SYSCALL_STREAM : 0) |
			    (o->groups & G_SYSCOUNT ? LENS_SYSCALL_AGG : 0);
	cfg->probe_tgid = getpid();
	cfg->confine = owner->confined;
	cfg->owner_uid = owner->uid;
	cfg->owner_gid = owner->gid;
	cfg->stack_bytes = o->stacks ? o->stack_bytes : 0;
	cfg->python = o->python;
	if (m->set_rodata)
		m->set_rodata(skel, o);
}

/* Sizes the ring buffer (first module) or reuses the first module's maps (the others). */
static int share_maps(const struct lens_module *m, struct bpf_object *obj,
		      struct bpf_object *shared, const struct lens_opts *o)
{
	size_t i;
	int err;

	if (!shared) {
		err = bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "lens_events"),
					       o->ringbuf_bytes);
		if (err)
			lens_report(LENS_ERR_ATTACH, -err, "cannot size the ring buffer to %llu "
				    "bytes: %s", (unsigned long long)o->ringbuf_bytes, strerror(-err));
		return err;
	}
	for (i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, shared_maps[i]);
		struct bpf_map *own = bpf_object__find_map_by_name(shared, shared_maps[i]);

		if (!map)
			continue;
		err = bpf_map__reuse_fd(map, bpf_map__fd(own));
		if (err) {
			lens_report(failure_code(m), -err, "%s module: cannot share map %s: %s",
				    m->name, shared_maps[i], strerror(-err));
			return err;
		}
	}
	return 0;
}

/* open -> set rodata -> share maps -> load, for one module. */
static int load_module(const struct lens_module *m, struct lens_loaded *l,
		       struct bpf_object *shared, const struct lens_opts *o,
		       const struct lens_owner *owner)
{
	int err;

	l->skel = m->open();
	if (!l->skel) {
		err = -errno;
		lens_report(failure_code(m), -err, "%s module: open failed: %s", m->name,
			    strerror(-err));
		return err;
	}
	set_rodata(m, l->skel, o, owner);
	err = share_maps(m, m->obj(l->skel), shared, o);
	if (err)
		return err;
	skip_missing_tracepoints(m, l->skel);
	err = m->load(l->skel);
	if (err) {
		lens_report(failure_code(m), -err, "%s module: load failed: %s (the verifier log is "
			    "on stderr above)%s%s", m->name, strerror(-err),
			    m->required ? "" : "; ", m->required ? "" : lost_what(m));
		return err;
	}
	return 0;
}

static int attach_module(const struct lens_module *m, struct lens_loaded *l)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, m->obj(l->skel)) {
		struct bpf_link *link;

		/* Tail-call targets (SEC("tracepoint") etc.) have no hook of their own. */
		if (!bpf_program__autoload(prog) || !strchr(bpf_program__section_name(prog), '/'))
			continue;
		if (l->nlinks == LENS_MAX_LINKS) {
			lens_report(LENS_ERR_INTERNAL, E2BIG, "%s module: more than %d programs",
				    m->name, LENS_MAX_LINKS);
			return -E2BIG;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			const char *sec = bpf_program__section_name(prog);

			err = -errno;
			lens_report(failure_code(m), -err, "%s %s: cannot attach %s (%s): %s%s%s%s",
				    m->name, m->required || m->lost ? "module" : "events are not traced",
				    bpf_program__name(prog), sec, strerror(-err),
				    lens_attach_hint(sec, -err, getuid() == 0),
				    m->lost ? "; " : "", m->lost ? m->lost : "");
			return err;
		}
		l->links[l->nlinks++] = link;
	}
	return 0;
}

static void unload_module(const struct lens_module *m, struct lens_loaded *l)
{
	while (l->nlinks > 0)
		bpf_link__destroy(l->links[--l->nlinks]);
	if (l->skel)
		m->destroy(l->skel);
	l->skel = NULL;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(obj, name));
}

int lens_bpf_load(struct lens_bpf *b, const struct lens_opts *o, const struct lens_owner *owner)
{
	struct bpf_object *shared = NULL;
	size_t i;

	*b = (struct lens_bpf){ .events_fd = -1, .tracked_fd = -1, .pidbits_fd = -1,
				.drops_fd = -1, .submitted_fd = -1, .sysagg_fd = -1, .py_procs_fd = -1, .py_any_fd = -1 };
	b->loaded = calloc(lens_n_modules, sizeof(*b->loaded));
	if (!b->loaded) {
		lens_report(LENS_ERR_INTERNAL, ENOMEM, "out of memory loading the modules");
		return -1;
	}
	for (i = 0; i < lens_n_modules; i++) {
		const struct lens_module *m = &lens_modules[i];
		struct lens_loaded *l = &b->loaded[i];

		if (!module_wanted(m, o))
			continue;
		if (!m->open) {
			lens_report(LENS_ERR_DEGRADED, ENOENT, "the %s module is not built into this "
				    "probe: %s (rebuild with make -C bpf/linux)", m->name, lost_what(m));
			continue;
		}
		if (load_module(m, l, shared, o, owner)) {
			if (m->required)
				return -1;
			unload_module(m, l);
			continue;
		}
		if (!shared)
			shared = m->obj(l->skel);
	}
	if (!shared) {
		lens_report(LENS_ERR_INTERNAL, ENOENT, "no module was loaded: this probe's module "
			    "table has no required module first");
		return -1;
	}
	b->events_fd = map_fd(shared, "lens_events");
	b->tracked_fd = map_fd(shared, "lens_tracked");
	b->pidbits_fd = map_fd(shared, "lens_pidbits");
	b->drops_fd = map_fd(shared, "lens_drops");
	b->submitted_fd = map_fd(shared, "lens_submitted");
	b->py_procs_fd = map_fd(shared, "lens_py_procs");
	b->py_any_fd = map_fd(shared, "lens_py_any");
	for (i = 0; i < lens_n_modules; i++) {
		const struct lens_module *m = &lens_modules[i];
		struct lens_loaded *l = &b->loaded[i];

		if (!l->skel)
			continue;
		if (attach_module(m, l)) {
			if (m->required)
				return -1;
			unload_module(m, l);
			continue;
		}
		if (m->publish)
			m->publish(l->skel, b);
		b->kinds |= lens_kinds_of(o->groups & m->provides) | m->kinds;
	}
	return 0;
}

void lens_bpf_unload(struct lens_bpf *b)
{
	size_t i;

	if (!b->loaded)
		return;
	for (i = lens_n_modules; i-- > 0;)
		unload_module(&lens_modules[i], &b->loaded[i]);
	free(b->loaded);
	b->loaded = NULL;
}
