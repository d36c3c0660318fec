// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The module registry: the only file that knows the skeletons. A module
 * whose skeleton is missing from the build is listed without one and
 * reported as such when its events are asked for.
 */
#include <string.h>
#include "events.h"
#include "modules_helpers.h"

#include "process.skel.h"
#if __has_include("syscall.skel.h")
#include "syscall.skel.h"
#define LENS_HAVE_SYSCALL 1
#endif
#if __has_include("file.skel.h")
#include "file.skel.h"
#define LENS_HAVE_FILE 1
#endif
#if __has_include("net.skel.h")
#include "net.skel.h"
#define LENS_HAVE_NET 1
#endif
#if __has_include("dns.skel.h")
#include "dns.skel.h"
#define LENS_HAVE_DNS 1
#endif
#if __has_include("mmap.skel.h")
#include "mmap.skel.h"
#define LENS_HAVE_MMAP 1
#endif

/* The five typed calls of skeleton lens_<m>, untyped for the table. */
#define LENS_SKEL_ADAPTERS(m)                                                              \
	static void *m##_open(void) { return lens_##m##__open(); }                         \
	static struct bpf_object *m##_obj(void *s) { return ((struct lens_##m *)s)->obj; } \
	static struct lens_config *m##_cfg(void *s)                                        \
	{                                                                                  \
		return (struct lens_config *)&((struct lens_##m *)s)->rodata->lens_cfg;    \
	}                                                                                  \
	static int m##_load(void *s) { return lens_##m##__load(s); }                       \
	static void m##_destroy(void *s) { lens_##m##__destroy(s); }

#define LENS_SKEL(m) \
	.open = m##_open, .obj = m##_obj, .cfg = m##_cfg, .load = m##_load, .destroy = m##_destroy

LENS_SKEL_ADAPTERS(process)

#ifdef LENS_HAVE_SYSCALL
LENS_SKEL_ADAPTERS(syscall)

static void syscall_set_rodata(void *skel, const struct lens_opts *o)
{
	memcpy((void *)((struct lens_syscall *)skel)->rodata->lens_syscall_set, o->syscall_set,
	       sizeof(o->syscall_set));
}

static void syscall_publish(void *skel, struct lens_bpf *b)
{
	struct lens_syscall *s = skel;

	b->sysagg_fd = bpf_map__fd(s->maps.lens_sysagg);
	b->held_tgid = &s->bss->lens_held_tgid;
}
#endif
#ifdef LENS_HAVE_FILE
LENS_SKEL_ADAPTERS(file)
#endif
#ifdef LENS_HAVE_NET
LENS_SKEL_ADAPTERS(net)
#endif
#ifdef LENS_HAVE_DNS
LENS_SKEL_ADAPTERS(dns)
#endif
#ifdef LENS_HAVE_MMAP
LENS_SKEL_ADAPTERS(mmap)
#endif

const struct lens_module lens_modules[] = {
	{
		.name = "process", .wanted_by = 0, .provides = G_EXEC, .required = true,
		LENS_SKEL(process),
	},
	{
		.name = "syscall", .wanted_by = G_SYSCALL | G_SYSCOUNT,
		.provides = G_SYSCALL | G_SYSCOUNT,
#ifdef LENS_HAVE_SYSCALL
		LENS_SKEL(syscall), .set_rodata = syscall_set_rodata, .publish = syscall_publish,
#endif
	},
	{
		.name = "file", .wanted_by = G_FILE, .provides = G_FILE,
#ifdef LENS_HAVE_FILE
		LENS_SKEL(file),
#endif
	},
	{
		.name = "net", .wanted_by = G_NET, .provides = G_NET,
#ifdef LENS_HAVE_NET
		LENS_SKEL(net),
#endif
	},
	{
		.name = "dns", .wanted_by = G_DNS, .provides = G_DNS,
#ifdef LENS_HAVE_DNS
		LENS_SKEL(dns),
#endif
	},
	{
		.name = "mmap", .with_stacks = true, .kinds = 1u << LENS_MMAP,
		.lost = "code mappings are not recorded (kernel 6.7+ is needed for its VMA iterator): "
			"stacks of a process are unwound only while its /proc/PID/maps can be read",
#ifdef LENS_HAVE_MMAP
		LENS_SKEL(mmap),
#endif
	},
};

const size_t lens_n_modules = sizeof(lens_modules) / sizeof(lens_modules[0]);
