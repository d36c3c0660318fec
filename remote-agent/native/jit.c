// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JIT frames. A pc no mapped file holds is looked up in the process's
 * anonymous executable mappings (from /proc/PID/maps, reread when a pc is in
 * none of those known, at most once a request and not again for a pc found in
 * none then: code of a file mapped twice); there it is JIT code, named
 * from /tmp/perf-PID.map when the runtime writes one. That file is written by
 * the traced program, so it is untrusted: opened without following a symlink,
 * read only when it is a regular file owned by the process's user and at most
 * PERF_MAP_MAX bytes, every line checked, reread when it changed (grew). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "jit.h"

#define PERF_MAP_MAX (64u << 20)
#define NAME_MAX_BYTES 512
#define MAX_RANGES 4096
#define OVERLAP_WINDOW 256
#define MISSES 32

struct perf_entry {
	uint64_t start, end;
	uint32_t seq, name;
};

struct lsym_perf_map {
	char *text;
	struct perf_entry *entries;
	size_t count;
};

struct jit_proc {
	uint32_t pid;
	uint64_t start;
	uint64_t used;
	uint64_t (*ranges)[2];
	int nranges;
	uint32_t ranges_req;    /* request id the maps were last read for (+1; 0: never) */
	uint64_t missed[MISSES]; /* pcs found in no range after a reread (code of a file): not read again for them */
	uint32_t nmissed;
	struct lsym_perf_map *map;
	struct stat map_st;     /* the perf map as it was read */
	uint32_t map_req;       /* request id it was last checked for (+1; 0: never) */
};

struct lsym_jit {
	struct jit_proc *procs;
	int max;
	uint64_t clock;
};

static bool hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++, digits++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (d < 0)
			break;
		if (digits == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*p = s;
	*out = v;
	return digits > 0;
}

static int by_start(const void *a, const void *b)
{
	const struct perf_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One line "START SIZE name" into e, the name NUL-terminated in place; false when malformed. */
static bool parse_line(char *line, char *end, char *text, struct perf_entry *e)
{
	const char *p = line;
	uint64_t start, size;

	if (end > line && end[-1] == '\r')
		end--;
	if (!hex(&p, end, &start) || p >= end || *p != ' ')
		return false;
	p++;
	if (!hex(&p, end, &size) || p >= end || *p != ' ' || size == 0 || start + size < start)
		return false;
	p++;
	if (p >= end)
		return false;
	if (end - p > NAME_MAX_BYTES)
		end = (char *)p + NAME_MAX_BYTES;
	for (char *c = (char *)p; c < end; c++) {
		if ((unsigned char)*c < 0x20)
			*c = '?';
	}
	*end = '\0';
	e->start = start;
	e->end = start + size;
	e->name = (uint32_t)(p - text);
	return true;
}

struct lsym_perf_map *lsym_perf_map_parse(const char *src, size_t len)
{
	struct lsym_perf_map *m = calloc(1, sizeof(*m));
	size_t cap = 0;

	if (!m || len > PERF_MAP_MAX || !(m->text = malloc(len + 1))) {
		lsym_perf_map_free(m);
		return NULL;
	}
	memcpy(m->text, src, len);
	m->text[len] = '\0';
	for (char *line = m->text, *stop = m->text + len; line < stop;) {
		char *nl = memchr(line, '\n', (size_t)(stop - line));
		char *end = nl ? nl : stop;
		struct perf_entry e;

		if (parse_line(line, end, m->text, &e)) {
			if (m->count == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct perf_entry *n = realloc(m->entries, ncap * sizeof(*n));

				if (!n)
					break;
				m->entries = n;
				cap = ncap;
			}
			e.seq = (uint32_t)m->count;
			m->entries[m->count++] = e;
		}
		line = end + 1;
	}
	if (m->count)
		qsort(m->entries, m->count, sizeof(*m->entries), by_start);
	return m;
}

void lsym_perf_map_free(struct lsym_perf_map *m)
{
	if (!m)
		return;
	free(m->text);
	free(m->entries);
	free(m);
}

const char *lsym_perf_map_lookup(const struct lsym_perf_map *m, uint64_t pc)
{
	size_t lo = 0, hi = m ? m->count : 0;
	const struct perf_entry *best = NULL;

	/* the first entry starting after pc */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->entries[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* code moved or recompiled leaves older entries over the same range: the latest written wins */
	for (size_t i = lo, n = 0; i > 0 && n < OVERLAP_WINDOW; i--, n++) {
		const struct perf_entry *e = &m->entries[i - 1];

		if (pc < e->end && (!best || e->seq > best->seq))
			best = e;
	}
	return best ? m->text + best->name : NULL;
}

struct lsym_jit *lsym_jit_new(int max_procs)
{
	struct lsym_jit *j = calloc(1, sizeof(*j));

	if (j && !(j->procs = calloc((size_t)max_procs, sizeof(*j->procs)))) {
		free(j);
		return NULL;
	}
	if (j)
		j->max = max_procs;
	return j;
}

static void clear_proc(struct jit_proc *p)
{
	free(p->ranges);
	lsym_perf_map_free(p->map);
	memset(p, 0, sizeof(*p));
}

void lsym_jit_free(struct lsym_jit *j)
{
	if (!j)
		return;
	for (int i = 0; i < j->max; i++)
		clear_proc(&j->procs[i]);
	free(j->procs);
	free(j);
}

void lsym_jit_forget(struct lsym_jit *j, uint32_t pid, uint64_t start)
{
	for (int i = 0; j && i < j->max; i++) {
		if (j->procs[i].pid == pid && j->procs[i].start == start)
			clear_proc(&j->procs[i]);
	}
}

static struct jit_proc *get_proc(struct lsym_jit *j, uint32_t pid, uint64_t start)
{
	struct jit_proc *lru = &j->procs[0];

	for (int i = 0; i < j->max; i++) {
		struct jit_proc *p = &j->procs[i];

		if (p->pid == pid && p->start == start && p->used) {
			p->used = ++j->clock;
			return p;
		}
		if (p->used < lru->used)
			lru = p;
	}
	clear_proc(lru);
	lru->pid = pid;
	lru->start = start;
	lru->used = ++j->clock;
	return lru;
}

/* The process's anonymous executable mappings, as /proc/PID/maps shows them now (kept when it is gone). */
static void read_ranges(struct jit_proc *p)
{
	char path[64], line[512];
	uint64_t (*ranges)[2];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%u/maps", p->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	ranges = calloc(MAX_RANGES, sizeof(*ranges));
	while (ranges && n < MAX_RANGES && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, ino;
		char perms[8];
		int pathat = 0;

		if (sscanf(line, "%llx-%llx %7s %*s %*s %llu %n", &lo, &hi, perms, &ino, &pathat) < 4)
			continue;
		/* no file and no [name] (a line longer than the buffer has a file: its path is long) */
		if (perms[2] == 'x' && ino == 0 && pathat > 0 && (line[pathat] == '\n' || line[pathat] == '\0')) {
			ranges[n][0] = lo;
			ranges[n][1] = hi;
			n++;
		}
	}
	fclose(f);
	if (!ranges)
		return;
	free(p->ranges);
	p->ranges = ranges;
	p->nranges = n;
}

static bool in_ranges(const struct jit_proc *p, uint64_t pc)
{
	for (int i = 0; i < p->nranges; i++) {
		if (pc >= p->ranges[i][0] && pc < p->ranges[i][1])
			return true;
	}
	return false;
}

static bool missed(const struct jit_proc *p, uint64_t pc)
{
	for (uint32_t i = 0; i < p->nmissed && i < MISSES; i++) {
		if (p->missed[i] == pc)
			return true;
	}
	return false;
}

/* The perf map, (re)read when it is new or changed since it was read. */
static void check_map(struct jit_proc *p)
{
	char path[64];
	struct stat owner, st;
	struct lsym_perf_map *m;
	char *buf;
	ssize_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u", p->pid);
	if (stat(path, &owner) != 0)
		return;
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", p->pid);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != owner.st_uid ||
	    (uint64_t)st.st_size > PERF_MAP_MAX ||
	    (p->map && st.st_ino == p->map_st.st_ino && st.st_size == p->map_st.st_size &&
	     st.st_mtim.tv_sec == p->map_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == p->map_st.st_mtim.tv_nsec)) {
		close(fd);
		return;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	/* a line being written when it was read is skipped if cut: the next change rereads it */
	m = buf ? lsym_perf_map_parse(buf, (size_t)got) : NULL;
	free(buf);
	if (!m)
		return;
	lsym_perf_map_free(p->map);
	p->map = m;
	p->map_st = st;
}

void lsym_jit_frame(struct lsym_jit *j, const struct lsym_request *req, uint64_t pc, struct lsym_frame *f)
{
	struct jit_proc *p;
	const char *name;

	if (!j || !req->pid)
		return;
	p = get_proc(j, req->pid, req->start);
	if (!in_ranges(p, pc) && p->ranges_req != req->id + 1 && !missed(p, pc)) {
		p->ranges_req = req->id + 1;
		read_ranges(p);
		if (!in_ranges(p, pc))
			p->missed[p->nmissed++ % MISSES] = pc;
	}
	if (!in_ranges(p, pc))
		return;
	if (p->map_req != req->id + 1) {
		p->map_req = req->id + 1;
		check_map(p);
	}
	name = lsym_perf_map_lookup(p->map, pc);
	f->module = "";
	f->function = name;
	f->reason = name ? LSYM_JIT_MAPPED : LSYM_JIT_NO_MAP;
}
