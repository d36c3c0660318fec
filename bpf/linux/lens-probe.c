// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lens-probe: loads the Runtime Lens eBPF modules, launches a command (or
 * attaches to a pid) and writes framed records (events.h) to stdout until
 * the target exits or it is told to stop.
 *
 *   lens-probe [--events exec,file,net,dns,syscall,syscount] [--syscalls NR,...]
 *              [--ringbuf-bytes N] [--stats-ms N]
 *              (--pid PID | [--exec-path FILE] -- COMMAND [ARGS...])
 *
 * --check-hooks: load and attach one empty program per hook type, print
 * one text line per type on stdout (hookcheck_helpers.h) and exit: what
 * this kernel allows in the mode the probe runs in (runtime-lens doctor).
 *
 * --exec-path: the file to execute, already resolved in PATH by the caller
 * (COMMAND stays argv[0]), so the trace starts with one exec of the target
 * instead of a failed exec per PATH entry before it.
 *
 * stdin takes control commands, one per line: add PID, remove PID, stats,
 * stop (EOF = stop). stdout carries frames only; one human line per error
 * goes to stderr. Launched targets get fds 3, 4, 5 as stdin, stdout,
 * stderr when those are open, else /dev/null and lens-probe's stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "attach_helpers.h"
#include "checks_helpers.h"
#include "creds_helpers.h"
#include "hookcheck_helpers.h"
#include "output_helpers.h"
#include "stats_helpers.h"
#include "target_helpers.h"

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

#define LENS_DEFAULT_RINGBUF (32u << 20)
#define LENS_DEFAULT_QUEUE (1ull << 30)
#define LENS_POLL_MS 10
#define LENS_MAX_LINKS 64

/* Event groups: the --events values. */
enum lens_group {
	G_EXEC = 1 << 0,
	G_FILE = 1 << 1,
	G_NET = 1 << 2,
	G_DNS = 1 << 3,
	G_SYSCALL = 1 << 4,
	G_SYSCOUNT = 1 << 5,
};

#define K(kind) (1u << (kind))

static const struct {
	const char *name;
	unsigned int group;
	uint32_t kinds;
} lens_groups[] = {
	{ "exec", G_EXEC, K(LENS_EXEC) | K(LENS_FORK) | K(LENS_EXIT) },
	{ "file", G_FILE, K(LENS_OPEN) | K(LENS_FSOP) },
	{ "net", G_NET, K(LENS_CONNECT) | K(LENS_ACCEPT) | K(LENS_BIND) | K(LENS_LISTEN) |
			K(LENS_TCP_CLOSE) | K(LENS_UDP_SEND) },
	{ "dns", G_DNS, K(LENS_DNS) },
	{ "syscall", G_SYSCALL, K(LENS_SYSCALL) },
	{ "syscount", G_SYSCOUNT, 0 },
};

#define N_GROUPS (sizeof(lens_groups) / sizeof(lens_groups[0]))

/* One eBPF module: a skeleton behind uniform entry points. */
struct lens_module {
	const char *name;
	unsigned int groups;  /* loaded when one of these is asked for (0: always) */
	bool built;           /* its .bpf.c was part of this build */
	void *(*open)(void);
	struct bpf_object *(*obj)(void *skel);
	struct lens_config *(*cfg)(void *skel);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
	void *skel;
	struct bpf_link *links[LENS_MAX_LINKS];
	int nlinks;
	bool attached;
};

#define LENS_MODULE_OPS(m)                                                                 \
	static void *m##_open(void) { return lens_##m##__open(); }                         \
	static struct bpf_object *m##_obj(void *s) { return ((struct lens_##m *)s)->obj; } \
	static struct lens_config *m##_cfg(void *s)                                        \
	{                                                                                  \
		return (struct lens_config *)&((struct lens_##m *)s)->rodata->lens_cfg;    \
	}                                                                                  \
	static int m##_load(void *s) { return lens_##m##__load(s); }                       \
	static void m##_destroy(void *s) { lens_##m##__destroy(s); }

#define LENS_MODULE(m, g) \
	{ .name = #m, .groups = (g), .built = true, .open = m##_open, .obj = m##_obj, \
	  .cfg = m##_cfg, .load = m##_load, .destroy = m##_destroy }
#define LENS_MODULE_MISSING(m, g) { .name = #m, .groups = (g), .built = false }

LENS_MODULE_OPS(process)
#ifdef LENS_HAVE_SYSCALL
LENS_MODULE_OPS(syscall)
#endif
#ifdef LENS_HAVE_FILE
LENS_MODULE_OPS(file)
#endif
#ifdef LENS_HAVE_NET
LENS_MODULE_OPS(net)
#endif
#ifdef LENS_HAVE_DNS
LENS_MODULE_OPS(dns)
#endif

/* The process module comes first: it creates the shared maps. */
static struct lens_module modules[] = {
	LENS_MODULE(process, 0),
#ifdef LENS_HAVE_SYSCALL
	LENS_MODULE(syscall, G_SYSCALL | G_SYSCOUNT),
#else
	LENS_MODULE_MISSING(syscall, G_SYSCALL | G_SYSCOUNT),
#endif
#ifdef LENS_HAVE_FILE
	LENS_MODULE(file, G_FILE),
#else
	LENS_MODULE_MISSING(file, G_FILE),
#endif
#ifdef LENS_HAVE_NET
	LENS_MODULE(net, G_NET),
#else
	LENS_MODULE_MISSING(net, G_NET),
#endif
#ifdef LENS_HAVE_DNS
	LENS_MODULE(dns, G_DNS),
#else
	LENS_MODULE_MISSING(dns, G_DNS),
#endif
};

#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

/* A failing optional module costs its own event groups only; the process module is required. */
static uint32_t failure_code(const struct lens_module *m)
{
	return m == &modules[0] ? LENS_ERR_ATTACH : LENS_ERR_DEGRADED;
}

static const char *const shared_maps[] = { "lens_events", "lens_tracked", "lens_pidbits",
					   "lens_drops", "lens_submitted" };

struct lens_opts {
	unsigned int groups;
	uint64_t syscall_set[LENS_SYSCALL_MAX / 64];
	uint64_t ringbuf_bytes;
	unsigned int stats_ms;
	uint64_t max_queue;
	pid_t pid;
	char **cmd;
	const char *exec_path;  /* NULL: COMMAND is looked up in PATH */
	bool check_hooks;       /* --check-hooks: report which hook types work, trace nothing */
};

/* Everything the run holds; released by cleanup() alone. */
static struct {
	struct lens_opts o;
	struct lens_owner owner;  /* who the probe acts for (non-root: confined) */
	int target_fds[3];      /* fds 3, 4, 5 as passed, moved out of libbpf's way */
	int sig_fd, wake_fd, pid_fd, devnull_fd;
	struct ring_buffer *rb;
	struct lens_tree tree;
	int drops_fd, submitted_fd, sysagg_fd;
	uint32_t kinds_attached;
	int ncpus;
	pid_t target;           /* launched child or attached pid */
	bool launched;
	bool target_exited;
	int exit_code;          /* of the target */
	int exit_signal;
	bool exit_seen;         /* exit record of the attached pid seen */
	int probe_status;       /* lens-probe's own exit status */
	bool stop;
	char line[256];
	size_t line_len;
} st = {
	.target_fds = { -1, -1, -1 },
	.sig_fd = -1, .wake_fd = -1, .pid_fd = -1, .devnull_fd = -1,
	.drops_fd = -1, .submitted_fd = -1, .sysagg_fd = -1,
};

/* One human line on stderr and one ERROR frame on stdout. */
static void report(uint32_t code, int err, const char *fmt, ...)
{
	struct lens_error e = { .code = code, .errno_val = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	fprintf(stderr, "lens-probe: %s\n", e.message);
	lens_out_frame(LENS_FRAME_ERROR, &e, sizeof(e));
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static const char usage[] =
	"usage: lens-probe [--events exec,file,net,dns,syscall,syscount] [--syscalls NR,...]\n"
	"                  [--ringbuf-bytes N] [--stats-ms N]\n"
	"                  (--pid PID | [--exec-path FILE] -- COMMAND [ARGS...])\n"
	"       lens-probe --check-hooks";

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

static int parse_events(const char *arg, unsigned int *groups)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	size_t i;

	if (!copy)
		return -1;
	*groups = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < N_GROUPS; i++)
			if (!strcmp(tok, lens_groups[i].name))
				break;
		if (i == N_GROUPS) {
			report(LENS_ERR_USAGE, EINVAL,
			       "unknown event group '%s' in --events: expected a comma-separated "
			       "list of exec, file, net, dns, syscall, syscount", tok);
			free(copy);
			return -1;
		}
		*groups |= lens_groups[i].group;
	}
	free(copy);
	if (!*groups) {
		report(LENS_ERR_USAGE, EINVAL, "--events is empty: name at least one of exec, "
		       "file, net, dns, syscall, syscount");
		return -1;
	}
	return 0;
}

static int parse_syscalls(const char *arg, uint64_t *set)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	uint64_t nr;

	if (!copy)
		return -1;
	memset(set, 0, sizeof(uint64_t) * (LENS_SYSCALL_MAX / 64));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (parse_u64(tok, &nr) || nr >= LENS_SYSCALL_MAX) {
			report(LENS_ERR_USAGE, EINVAL,
			       "bad syscall number '%s' in --syscalls: expected numbers 0..%d "
			       "separated by commas", tok, LENS_SYSCALL_MAX - 1);
			free(copy);
			return -1;
		}
		set[nr / 64] |= 1ull << (nr % 64);
	}
	free(copy);
	return 0;
}

static int parse_args(int argc, char **argv, struct lens_opts *o)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "ringbuf-bytes", required_argument, NULL, 'r' },
		{ "stats-ms", required_argument, NULL, 'S' },
		{ "max-queue-bytes", required_argument, NULL, 'q' },
		{ "pid", required_argument, NULL, 'p' },
		{ "exec-path", required_argument, NULL, 'x' },
		{ "check-hooks", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint64_t v;
	int c;

	o->groups = G_EXEC | G_FILE | G_NET | G_DNS;
	memset(o->syscall_set, 0xff, sizeof(o->syscall_set));
	o->ringbuf_bytes = LENS_DEFAULT_RINGBUF;
	o->stats_ms = 1000;
	o->max_queue = LENS_DEFAULT_QUEUE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (parse_events(optarg, &o->groups))
				return -1;
			break;
		case 's':
			if (parse_syscalls(optarg, o->syscall_set))
				return -1;
			break;
		case 'r':
			if (parse_u64(optarg, &v) || v < 4096 || (v & (v - 1)) || v > (1ull << 31)) {
				report(LENS_ERR_USAGE, EINVAL, "bad --ringbuf-bytes '%s': expected a power "
				       "of two from 4096 to 2147483648", optarg);
				return -1;
			}
			o->ringbuf_bytes = v;
			break;
		case 'S':
			if (parse_u64(optarg, &v) || v > 3600000) {
				report(LENS_ERR_USAGE, EINVAL, "bad --stats-ms '%s': expected milliseconds "
				       "from 0 (off) to 3600000", optarg);
				return -1;
			}
			o->stats_ms = v;
			break;
		case 'q':
			if (parse_u64(optarg, &v) || v < 4096) {
				report(LENS_ERR_USAGE, EINVAL, "bad --max-queue-bytes '%s': expected at "
				       "least 4096", optarg);
				return -1;
			}
			o->max_queue = v;
			break;
		case 'p':
			if (parse_u64(optarg, &v) || v == 0 || v >= LENS_PID_LIMIT) {
				report(LENS_ERR_USAGE, EINVAL, "bad --pid '%s': expected a process id",
				       optarg);
				return -1;
			}
			o->pid = v;
			break;
		case 'x':
			if (optarg[0] != '/') {
				report(LENS_ERR_USAGE, EINVAL, "bad --exec-path '%s': expected an "
				       "absolute path", optarg);
				return -1;
			}
			o->exec_path = optarg;
			break;
		case 'c':
			o->check_hooks = true;
			break;
		case 'h':
			fprintf(stderr, "%s\n", usage);
			exit(0);
		default:
			report(LENS_ERR_USAGE, EINVAL, "unknown or incomplete option '%s'\n%s",
			       argv[optind - 1], usage);
			return -1;
		}
	}
	if (optind < argc)
		o->cmd = &argv[optind];
	if (o->check_hooks && !o->pid && !o->cmd)
		return 0;
	if (!o->pid == !o->cmd) {
		report(LENS_ERR_USAGE, EINVAL, "give either --pid PID or -- COMMAND [ARGS...]\n%s",
		       usage);
		return -1;
	}
	if (o->exec_path && !o->cmd) {
		report(LENS_ERR_USAGE, EINVAL, "--exec-path needs -- COMMAND [ARGS...]\n%s", usage);
		return -1;
	}
	return 0;
}

/* Moves the fds the agent passes (3, 4, 5) out of the way of libbpf's fds. */
static void save_target_fds(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (fcntl(3 + i, F_GETFD) < 0)
			continue;
		st.target_fds[i] = fcntl(3 + i, F_DUPFD_CLOEXEC, 100);
		close(3 + i);
	}
}

static uint32_t kinds_of(unsigned int groups)
{
	uint32_t kinds = 0;
	size_t i;

	for (i = 0; i < N_GROUPS; i++)
		if (groups & lens_groups[i].group)
			kinds |= lens_groups[i].kinds;
	return kinds;
}

static bool module_wanted(const struct lens_module *m)
{
	return !m->groups || (m->groups & st.o.groups);
}

/* Tracepoints this kernel/arch lacks (open, creat... on arm64) are skipped. */
static void skip_missing_tracepoints(struct lens_module *m)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, m->obj(m->skel)) {
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

static void set_config(struct lens_module *m)
{
	struct lens_config *cfg = m->cfg(m->skel);

	cfg->kinds_mask = kinds_of(st.o.groups);
	cfg->wakeup_bytes = st.o.ringbuf_bytes / 4;
	cfg->syscall_mode = (st.o.groups & G_SYSCALL ? LENS_SYSCALL_STREAM : 0) |
			    (st.o.groups & G_SYSCOUNT ? LENS_SYSCALL_AGG : 0);
	cfg->probe_tgid = getpid();
	cfg->confine = st.owner.confined;
	cfg->owner_uid = st.owner.uid;
	cfg->owner_gid = st.owner.gid;
#ifdef LENS_HAVE_SYSCALL
	if (m->open == syscall_open)
		memcpy((void *)((struct lens_syscall *)m->skel)->rodata->lens_syscall_set,
		       st.o.syscall_set, sizeof(st.o.syscall_set));
#endif
}

/* open -> set rodata -> reuse shared maps -> load, for one module. */
static int load_module(struct lens_module *m, struct lens_module *owner)
{
	struct bpf_object *obj;
	size_t i;
	int err;

	m->skel = m->open();
	if (!m->skel) {
		err = -errno;
		report(failure_code(m), -err, "%s module: open failed: %s", m->name, strerror(-err));
		return err;
	}
	obj = m->obj(m->skel);
	set_config(m);
	if (m == owner) {
		err = bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "lens_events"),
					       st.o.ringbuf_bytes);
		if (err) {
			report(LENS_ERR_ATTACH, -err, "cannot size the ring buffer to %llu bytes: %s",
			       (unsigned long long)st.o.ringbuf_bytes, strerror(-err));
			return err;
		}
	} else {
		for (i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]); i++) {
			struct bpf_map *map = bpf_object__find_map_by_name(obj, shared_maps[i]);
			struct bpf_map *own = bpf_object__find_map_by_name(owner->obj(owner->skel),
									   shared_maps[i]);

			if (!map)
				continue;
			err = bpf_map__reuse_fd(map, bpf_map__fd(own));
			if (err) {
				report(failure_code(m), -err, "%s module: cannot share map %s: %s",
				       m->name, shared_maps[i], strerror(-err));
				return err;
			}
		}
	}
	skip_missing_tracepoints(m);
	err = m->load(m->skel);
	if (err) {
		report(failure_code(m), -err, "%s module: load failed: %s (the verifier log is "
		       "on stderr above)%s", m->name, strerror(-err),
		       m == &modules[0] ? "" : "; its events are not traced");
		return err;
	}
	return 0;
}

static int attach_module(struct lens_module *m)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, m->obj(m->skel)) {
		struct bpf_link *link;

		/* Tail-call targets (SEC("tracepoint") etc.) have no hook of their own. */
		if (!bpf_program__autoload(prog) || !strchr(bpf_program__section_name(prog), '/'))
			continue;
		if (m->nlinks == LENS_MAX_LINKS) {
			report(LENS_ERR_INTERNAL, E2BIG, "%s module: more than %d programs",
			       m->name, LENS_MAX_LINKS);
			return -E2BIG;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			const char *sec = bpf_program__section_name(prog);

			err = -errno;
			report(failure_code(m), -err, "%s %s: cannot attach %s (%s): %s%s", m->name,
			       m == &modules[0] ? "module" : "events are not traced",
			       bpf_program__name(prog), sec, strerror(-err),
			       lens_attach_hint(sec, -err, getuid() == 0));
			return err;
		}
		m->links[m->nlinks++] = link;
	}
	m->attached = true;
	return 0;
}

static void unload_module(struct lens_module *m)
{
	while (m->nlinks > 0)
		bpf_link__destroy(m->links[--m->nlinks]);
	if (m->skel)
		m->destroy(m->skel);
	m->skel = NULL;
	m->attached = false;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct lens_hdr *h = data;
	size_t len = size;

	if (size < sizeof(*h))
		return 0;
	if (h->size >= sizeof(*h) && h->size < size)
		len = h->size;
	if (h->kind == LENS_EXIT && !st.launched && h->pid == (uint32_t)st.target &&
	    size >= sizeof(struct lens_exit_event)) {
		const struct lens_exit_event *e = data;

		st.exit_seen = true;
		st.exit_code = e->exit_code;
		st.exit_signal = e->signal;
	}
	lens_out_record(data, len);
	return 0;
}

static void emit_hello(void)
{
	struct lens_hello h = { .abi_version = LENS_ABI_VERSION };
	struct timespec rt, mono;
	struct utsname u;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	h.kinds_mask = st.kinds_attached;
	h.realtime_offset_ns = (int64_t)(rt.tv_sec - mono.tv_sec) * 1000000000ll +
			       (rt.tv_nsec - mono.tv_nsec);
	h.ringbuf_bytes = st.o.ringbuf_bytes;
	if (uname(&u) == 0)
		memcpy(h.machine, u.machine, strnlen(u.machine, sizeof(h.machine) - 1));
	lens_out_frame(LENS_FRAME_HELLO, &h, sizeof(h));
}

static void emit_stats(void)
{
	lens_stats_emit(st.drops_fd, st.submitted_fd, st.ncpus, false);
}

struct sysagg_entry {
	struct lens_sysagg_key key;
	struct lens_sysagg_val val;
};

/* The in-kernel syscall aggregate, summed over CPUs, as one SYSAGG frame. */
static void emit_sysagg(void)
{
	struct lens_sysagg_key key, next, *prev = NULL;
	struct lens_sysagg_val *vals;
	struct sysagg_entry *entries = NULL, *e;
	size_t n = 0, cap = 0;
	int c, b;

	if (st.sysagg_fd < 0)
		return;
	vals = calloc(st.ncpus, sizeof(*vals));
	if (!vals)
		return;
	while (bpf_map_get_next_key(st.sysagg_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(st.sysagg_fd, &key, vals))
			continue;
		if (n == cap) {
			struct sysagg_entry *ne;

			cap = cap ? cap * 2 : 256;
			ne = realloc(entries, cap * sizeof(*entries));
			if (!ne)
				break;
			entries = ne;
		}
		e = &entries[n++];
		memset(e, 0, sizeof(*e));
		e->key = key;
		for (c = 0; c < st.ncpus; c++) {
			e->val.count += vals[c].count;
			e->val.errors += vals[c].errors;
			e->val.total_ns += vals[c].total_ns;
			if (vals[c].max_ns > e->val.max_ns)
				e->val.max_ns = vals[c].max_ns;
			for (b = 0; b < LENS_HIST_BUCKETS; b++)
				e->val.hist[b] += vals[c].hist[b];
		}
	}
	lens_out_frame(LENS_FRAME_SYSAGG, entries, n * sizeof(*entries));
	free(entries);
	free(vals);
}

static void emit_target(uint32_t state)
{
	struct lens_target t = { .state = state, .pid = st.target };

	if (state == LENS_TARGET_EXITED) {
		t.exit_code = st.exit_code;
		t.signal = st.exit_signal;
	}
	lens_out_frame(LENS_FRAME_TARGET, &t, sizeof(t));
}

/* Loads and attaches every wanted module; the process module is required. */
static int setup_bpf(void)
{
	struct lens_module *owner = &modules[0];
	struct bpf_object *obj;
	size_t i, g;
	void *bits;

	for (i = 0; i < N_MODULES; i++) {
		struct lens_module *m = &modules[i];

		if (!module_wanted(m))
			continue;
		if (!m->built) {
			report(LENS_ERR_DEGRADED, ENOENT, "the %s module is not built into this probe: "
			       "its events are not traced (rebuild with make -C bpf/linux)", m->name);
			continue;
		}
		if (load_module(m, owner)) {
			if (m == owner)
				return -1;
			unload_module(m);
			continue;
		}
		if (m == owner) {
			obj = owner->obj(owner->skel);
			st.tree.tracked_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "lens_tracked"));
			st.drops_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "lens_drops"));
			st.submitted_fd = bpf_map__fd(bpf_object__find_map_by_name(obj,
							"lens_submitted"));
			bits = mmap(NULL, LENS_PIDBITS_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
				    MAP_SHARED,
				    bpf_map__fd(bpf_object__find_map_by_name(obj, "lens_pidbits")), 0);
			if (bits == MAP_FAILED) {
				report(LENS_ERR_INTERNAL, errno, "cannot map lens_pidbits: %s",
				       strerror(errno));
				return -1;
			}
			st.tree.bits = bits;
			st.rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj,
							"lens_events")), on_record, NULL, NULL);
			if (!st.rb) {
				report(LENS_ERR_INTERNAL, errno, "cannot open the ring buffer: %s",
				       strerror(errno));
				return -1;
			}
		}
#ifdef LENS_HAVE_SYSCALL
		if (m->open == syscall_open) {
			st.sysagg_fd = bpf_map__fd(((struct lens_syscall *)m->skel)->maps.lens_sysagg);
			st.tree.held = &((struct lens_syscall *)m->skel)->bss->lens_held_tgid;
		}
#endif
	}
	for (i = 0; i < N_MODULES; i++) {
		struct lens_module *m = &modules[i];

		if (!m->skel)
			continue;
		if (attach_module(m)) {
			if (m == owner)
				return -1;
			unload_module(m);
			if (m->groups & (G_SYSCALL | G_SYSCOUNT)) {
				st.sysagg_fd = -1;
				st.tree.held = NULL;
			}
			continue;
		}
		for (g = 0; g < N_GROUPS; g++)
			if ((st.o.groups & lens_groups[g].group) &&
			    (m->groups & lens_groups[g].group || (!m->groups && lens_groups[g].group == G_EXEC)))
				st.kinds_attached |= lens_groups[g].kinds;
	}
	return 0;
}

/* Trace only what the owner could ptrace (a process tree walk stops at what they cannot). */
static bool owner_may_trace(uint32_t pid)
{
	char why[8];

	return lens_may_trace(&st.owner, pid, why, sizeof(why)) == 0;
}

/* The --pid a non-root owner names must be theirs to ptrace. */
static int check_owner_pid(void)
{
	char why[200];

	if (st.o.pid && lens_may_trace(&st.owner, st.o.pid, why, sizeof(why))) {
		report(LENS_ERR_FORBIDDEN, EPERM, "%s", why);
		return -1;
	}
	return 0;
}

/* A non-root owner: the --pid it names, its ring buffer size and its number of sessions. */
static int check_owner_limits(void)
{
	int n;

	if (!st.owner.confined)
		return 0;
	st.tree.may_trace = owner_may_trace;
	if (st.o.ringbuf_bytes > LENS_USER_RINGBUF_MAX) {
		report(LENS_ERR_USAGE, EINVAL, "--ringbuf-bytes %llu is over the %u MiB a non-root user "
		       "may pin in the kernel: give at most %u, or run as root",
		       (unsigned long long)st.o.ringbuf_bytes, LENS_USER_RINGBUF_MAX >> 20,
		       LENS_USER_RINGBUF_MAX);
		return -1;
	}
	n = lens_user_sessions(st.owner.uid);
	if (n > LENS_USER_SESSIONS_MAX) {
		report(LENS_ERR_FORBIDDEN, EUSERS, "uid %u already runs %d lens-probe sessions (one "
		       "that ends counts until its programs are detached), the most a non-root user "
		       "may run at once: stop one, or run as root",
		       (unsigned)st.owner.uid, n - 1);
		return -1;
	}
	return check_owner_pid();
}

static int start_target(void)
{
	sigset_t child_mask;
	int fds[3], err;

	if (!st.launched) {
		if (!lens_pid_exists(st.o.pid)) {
			report(LENS_ERR_NO_SUCH_PID, ESRCH, "no process with pid %d", st.o.pid);
			return -1;
		}
		st.target = st.o.pid;
		st.pid_fd = syscall(SYS_pidfd_open, st.target, 0);
		if (st.pid_fd < 0) {
			report(errno == ESRCH ? LENS_ERR_NO_SUCH_PID : LENS_ERR_INTERNAL, errno,
			       "cannot watch pid %d (pidfd_open): %s", st.target, strerror(errno));
			return -1;
		}
		/* again, now that the pidfd pins the process: the pid may have been reused since */
		if (check_owner_pid())
			return -1;
		err = lens_tree_add(&st.tree, st.target, 0);
		if (err) {
			report(LENS_ERR_INTERNAL, -err, "cannot track pid %d: %s", st.target,
			       strerror(-err));
			return -1;
		}
		lens_tree_add_descendants(&st.tree, st.target);
		emit_target(LENS_TARGET_ATTACHED);
		return 0;
	}

	st.devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[0] = st.target_fds[0] >= 0 ? st.target_fds[0] : st.devnull_fd;
	fds[1] = st.target_fds[1] >= 0 ? st.target_fds[1] : STDERR_FILENO;
	fds[2] = st.target_fds[2] >= 0 ? st.target_fds[2] : STDERR_FILENO;
	sigemptyset(&child_mask);
	struct lens_spawn sp;

	err = lens_spawn_held(st.o.exec_path, st.o.cmd, fds, &child_mask, &sp);
	if (err) {
		report(LENS_ERR_EXEC, -err, "cannot start '%s': fork failed: %s", st.o.cmd[0],
		       strerror(-err));
		return -1;
	}
	st.target = sp.pid;
	st.pid_fd = syscall(SYS_pidfd_open, sp.pid, 0);
	err = lens_tree_add_held(&st.tree, sp.pid);
	if (err || st.pid_fd < 0) {
		report(LENS_ERR_INTERNAL, err ? -err : errno, "cannot track the launched command "
		       "(pid %d): %s", sp.pid, strerror(err ? -err : errno));
		close(sp.hold_fd);  /* the child exits without running the command */
		close(sp.err_fd);
		waitpid(sp.pid, NULL, 0);
		return -1;
	}
	emit_target(LENS_TARGET_STARTED);
	err = lens_spawn_release(&sp);
	if (err) {
		const char *path = getenv("PATH");

		if (st.o.exec_path)
			report(LENS_ERR_EXEC, err, "cannot run '%s' (%s): %s", st.o.cmd[0],
			       st.o.exec_path, strerror(err));
		else
			report(LENS_ERR_EXEC, err, "cannot run '%s': %s (PATH=%s)", st.o.cmd[0],
			       strerror(err), path ? path : "(unset)");
		st.probe_status = 127;
	}
	return 0;
}

static void handle_command(char *line)
{
	char cmd[16];
	unsigned long long pid = 0;
	int n = sscanf(line, "%15s %llu", cmd, &pid);

	if (n <= 0)
		return;
	if (!strcmp(cmd, "stop") && n == 1) {
		st.stop = true;
	} else if (!strcmp(cmd, "stats") && n == 1) {
		emit_stats();
		emit_sysagg();
	} else if (!strcmp(cmd, "add") && n == 2) {
		char why[200];

		if (pid == 0 || pid >= LENS_PID_LIMIT || !lens_pid_exists(pid)) {
			report(LENS_ERR_NO_SUCH_PID, ESRCH, "add: no process with pid %llu", pid);
			return;
		}
		if (lens_may_trace(&st.owner, pid, why, sizeof(why))) {
			report(LENS_ERR_FORBIDDEN, EPERM, "add: %s", why);
			return;
		}
		if (lens_tree_add(&st.tree, pid, 0) == 0)
			lens_tree_add_descendants(&st.tree, pid);
		else
			report(LENS_ERR_INTERNAL, errno, "add: cannot track pid %llu", pid);
	} else if (!strcmp(cmd, "remove") && n == 2) {
		lens_tree_remove(&st.tree, pid);
	} else {
		report(LENS_ERR_USAGE, EINVAL, "unknown control command '%.64s': expected add PID, "
		       "remove PID, stats or stop", line);
	}
}

/* Reads what stdin has; runs each complete line. EOF stops the probe. */
static void read_commands(void)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	ssize_t i;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		st.stop = true;
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			st.line[st.line_len] = '\0';
			handle_command(st.line);
			st.line_len = 0;
		} else if (st.line_len < sizeof(st.line) - 1) {
			st.line[st.line_len++] = buf[i];
		}
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void target_ended(void)
{
	int status;

	st.target_exited = true;
	if (st.launched) {
		if (waitpid(st.target, &status, 0) == st.target) {
			st.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
			st.exit_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		}
	} else if (!st.exit_seen) {
		st.exit_code = -1;  /* its exit record was lost: status unknown */
	}
}

static void run_loop(void)
{
	struct pollfd pfd[5];
	uint64_t next_stats = now_ms() + st.o.stats_ms;
	bool stdin_open = fcntl(STDIN_FILENO, F_GETFD) >= 0;
	int n;

	while (!st.stop) {
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = ring_buffer__epoll_fd(st.rb), .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = st.sig_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = st.wake_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = st.pid_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN };
		poll(pfd, n, LENS_POLL_MS);

		ring_buffer__consume(st.rb);
		lens_out_flush_records();
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(st.sig_fd, &si, sizeof(si)) == sizeof(si))
				fprintf(stderr, "lens-probe: %s, stopping\n", strsignal(si.ssi_signo));
			st.stop = true;
		}
		if (pfd[2].revents || lens_out_broken())
			st.stop = true;
		if (pfd[3].revents) {
			target_ended();
			st.stop = true;
		}
		if (pfd[4].revents & (POLLIN | POLLHUP | POLLERR))
			read_commands();
		else if (pfd[4].revents & POLLNVAL)
			stdin_open = false;
		if (st.o.stats_ms && now_ms() >= next_stats) {
			emit_stats();
			next_stats = now_ms() + st.o.stats_ms;
		}
	}
	/* Drain: the target's last records are already in the ring. */
	while (ring_buffer__consume(st.rb) > 0)
		;
	lens_out_flush_records();
	lens_stats_emit(st.drops_fd, st.submitted_fd, st.ncpus, true);
	if (st.o.groups & G_SYSCOUNT)
		emit_sysagg();
	if (st.target_exited)
		emit_target(LENS_TARGET_EXITED);
}

/*
 * The frame stream ends before the programs are detached: each detach waits
 * for an RCU grace period (seconds for all links on a busy machine), and the
 * reader has everything it needs once stdout is closed.
 */
static void cleanup(void)
{
	int i;

	lens_out_finish();
	close(STDOUT_FILENO);
	ring_buffer__free(st.rb);
	st.rb = NULL;
	for (i = N_MODULES - 1; i >= 0; i--)
		unload_module(&modules[i]);
	if (st.tree.bits)
		munmap(st.tree.bits, LENS_PIDBITS_WORDS * sizeof(uint64_t));
	st.tree.bits = NULL;
	if (st.pid_fd >= 0)
		close(st.pid_fd);
	if (st.devnull_fd >= 0)
		close(st.devnull_fd);
	for (i = 0; i < 3; i++)
		if (st.target_fds[i] >= 0)
			close(st.target_fds[i]);
}

int main(int argc, char **argv)
{
	char msg[248];
	sigset_t mask;
	int code, err;

	save_target_fds();
	/* Signals arrive on a signalfd; the writer thread inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGPIPE);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	st.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	st.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	st.tree.tracked_fd = -1;
	st.tree.self = getpid();
	lens_owner_init(&st.owner);
	st.ncpus = libbpf_num_possible_cpus();
	if (st.sig_fd < 0 || st.wake_fd < 0 || st.ncpus <= 0 ||
	    lens_out_start(STDOUT_FILENO, LENS_DEFAULT_QUEUE, st.wake_fd)) {
		fprintf(stderr, "lens-probe: cannot set up signals, output or CPU count: %s\n",
			strerror(errno));
		return 1;
	}
	libbpf_set_print(libbpf_print);

	if (parse_args(argc, argv, &st.o)) {
		st.probe_status = 2;
		goto out;
	}
	lens_out_set_max_queue(st.o.max_queue);
	st.launched = st.o.cmd != NULL;
	code = lens_check_system(msg, sizeof(msg), &err);
	if (code) {
		report(code, err, "%s", msg);
		st.probe_status = 1;
		goto out;
	}
	if (!st.launched && !st.o.check_hooks && !lens_pid_exists(st.o.pid)) {
		report(LENS_ERR_NO_SUCH_PID, ESRCH, "no process with pid %d", st.o.pid);
		st.probe_status = 1;
		goto out;
	}
	if (check_owner_limits()) {
		st.probe_status = 1;
		goto out;
	}
	if (st.o.check_hooks) {
		st.probe_status = lens_check_hooks(STDOUT_FILENO, !st.owner.confined);
		goto out;
	}
	if (setup_bpf() || (emit_hello(), start_target())) {
		st.probe_status = 1;
		goto out;
	}
	run_loop();
out:
	cleanup();
	return st.probe_status;
}
