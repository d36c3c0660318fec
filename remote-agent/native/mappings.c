// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Each mapped file of a request is opened by its path and checked to be the
 * file that was mapped (same inode and modification time: a file replaced or
 * rewritten since is another program); a deleted main executable is read back
 * through /proc/PID/exe while the process lives. A file that is gone, replaced
 * or unreadable is still reported, by name and address range, so its frames
 * name it and say why they have no line. The device is not compared: the
 * kernel's dev_t of a file system and the st_dev stat() gives differ on some
 * (btrfs subvolumes). */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mappings.h"
#include "procs.h"

#define PATH_BYTES 4096

enum file_state { FILE_OK, FILE_DELETED, FILE_REPLACED, FILE_UNREADABLE };

static bool same_file(int fd, const struct lsym_mapping *m)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (uint64_t)st.st_ino == m->ino && st.st_mtim.tv_sec == m->mtime_sec &&
	       (uint32_t)st.st_mtim.tv_nsec == m->mtime_nsec;
}

/* The process's program through /proc/PID/exe, when it is the mapped file
 * (its link reads "PATH" or "PATH (deleted)"). */
static int open_exe(uint32_t pid, const struct lsym_mapping *m, const char *path)
{
	char link[64], target[PATH_BYTES + 16];
	ssize_t n;
	int fd;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	if (strncmp(target, path, strlen(path)) != 0)
		return -1;
	fd = lsym_open_regular(link);
	if (fd >= 0 && !same_file(fd, m)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int open_mapped(uint32_t pid, const struct lsym_mapping *m, const char *path, enum file_state *state)
{
	int fd = lsym_open_regular(path);

	if (fd >= 0) {
		if (same_file(fd, m)) {
			*state = FILE_OK;
			return fd;
		}
		close(fd);
		*state = FILE_REPLACED;
	} else {
		*state = errno == ENOENT || errno == ENOTDIR ? FILE_DELETED : FILE_UNREADABLE;
	}
	fd = open_exe(pid, m, path);
	if (fd >= 0)
		*state = FILE_OK;
	return fd;
}

/*
 * The load bias that puts file offset m->pgoff at m->start, from the
 * executable PT_LOAD segment holding that offset. Only an executable one: a
 * linker that packs segments (lld, rustc's) starts the code in the file page
 * where the read-only data before it ends, so both hold that page's offset.
 */
static bool load_bias(int fd, const struct lsym_mapping *m, GElf_Addr *bias)
{
	GElf_Off page = (GElf_Off)sysconf(_SC_PAGESIZE);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	bool found = false;
	size_t n;

	if (!elf)
		return false;
	if (elf_kind(elf) == ELF_K_ELF && elf_getphdrnum(elf, &n) == 0) {
		for (size_t i = 0; i < n && !found; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
				continue;
			if (m->pgoff < (ph.p_offset & ~(page - 1)) || m->pgoff >= ph.p_offset + ph.p_filesz)
				continue;
			*bias = m->start - m->pgoff - (ph.p_vaddr - ph.p_offset);
			found = true;
		}
	}
	elf_end(elf);
	return found;
}

/* Whether a file was given a module by its ELF headers already (libdwfl takes one module per file so). */
static bool reported_elf(const struct lsym_mapping *elfs, int n, const struct lsym_mapping *m)
{
	for (int i = 0; i < n; i++) {
		if (elfs[i].ino == m->ino && elfs[i].path_len == m->path_len && memcmp(elfs[i].path, m->path, m->path_len) == 0)
			return true;
	}
	return false;
}

/* Whether a module reported before covers addr (a file's other executable segments). */
static bool covered(Dwarf_Addr (*ranges)[2], int n, uint64_t addr)
{
	for (int i = 0; i < n; i++) {
		if (addr >= ranges[i][0] && addr < ranges[i][1])
			return true;
	}
	return false;
}

int lsym_open_mapping(const struct lsym_request *req, const char *name, uint64_t start)
{
	struct lsym_mapping m;
	enum file_state state;
	uint32_t at = 0;

	while (lsym_next_mapping(req, &at, &m)) {
		if (m.start == start && m.path_len == strlen(name) && memcmp(m.path, name, m.path_len) == 0)
			return open_mapped(req->pid, &m, name, &state);
	}
	return -1;
}

void lsym_report_mappings(Dwfl *dwfl, const struct lsym_request *req)
{
	Dwarf_Addr (*ranges)[2] = calloc(req->nmaps ? req->nmaps : 1, sizeof(*ranges));
	struct lsym_mapping *elfs = calloc(req->nmaps ? req->nmaps : 1, sizeof(*elfs));
	int nelfs = 0;
	char name[PATH_BYTES + sizeof(LSYM_REPLACED_SUFFIX)];
	struct lsym_mapping m;
	uint32_t at = 0;
	int n = 0;

	elf_version(EV_CURRENT);
	while (ranges && elfs && lsym_next_mapping(req, &at, &m)) {
		enum file_state state;
		Dwfl_Module *mod = NULL;
		GElf_Addr bias;
		int fd;

		/* a path longer than PATH_MAX was not recorded: nothing names the file */
		if (m.path_len == 0 || m.path_len >= PATH_BYTES || covered(ranges, n, m.start))
			continue;
		memcpy(name, m.path, m.path_len);
		name[m.path_len] = '\0';
		fd = open_mapped(req->pid, &m, name, &state);
		if (fd >= 0) {
			if (!reported_elf(elfs, nelfs, &m) && load_bias(fd, &m, &bias))
				mod = dwfl_report_elf(dwfl, name, name, fd, bias, true);
			if (mod)
				elfs[nelfs++] = m;
			else
				close(fd);
		}
		/*
		 * Else a module by name and range: a file mapped again away from
		 * where it is linked to run (V8 copies its builtins out of node's
		 * executable) is opened when needed (lsym_open_mapping), libdwfl
		 * placing it by the range; a file gone says why in its name.
		 */
		if (!mod) {
			strcat(name, state == FILE_REPLACED ? LSYM_REPLACED_SUFFIX
				     : state == FILE_DELETED ? LSYM_DELETED_SUFFIX : "");
			mod = dwfl_report_module(dwfl, name, m.start, m.end);
		}
		if (mod && dwfl_module_info(mod, NULL, &ranges[n][0], &ranges[n][1], NULL, NULL, NULL, NULL))
			n++;
	}
	free(ranges);
	free(elfs);
}
