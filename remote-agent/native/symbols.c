// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Symbolization with libdw: the line table gives the innermost file:line:col,
 * the DIE scopes around the pc (dwarf_getscopes_die) give the chain of inlined
 * calls with their call sites; without DWARF the symbol table names the
 * function and the frame says why it has no line. */
#include <dwarf.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdw.h>
#include "mappings.h"
#include "debugfiles.h"
#include "symbols.h"

/* From libstdc++ (the Itanium C++ ABI): C++ names are shown as written. */
extern char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status);

#define NBUCKETS 16384

struct entry {
	struct entry *next;
	uint64_t offset;
	size_t keylen;
	unsigned char *key;
	int nframes;
	struct lsym_frame frames[];
};

struct lsym_symbols {
	struct entry *buckets[NBUCKETS];
	size_t count, max;
	struct lsym_debugfiles *files;
};

struct lsym_symbols *lsym_symbols_new(size_t max_entries, struct lsym_debugfiles *files)
{
	struct lsym_symbols *s = calloc(1, sizeof(*s));

	if (s) {
		s->max = max_entries;
		s->files = files;
	}
	return s;
}

static void free_entry(struct entry *e)
{
	for (int i = 0; i < e->nframes; i++) {
		free((char *)e->frames[i].function);
		free((char *)e->frames[i].file);
		free((char *)e->frames[i].module);
	}
	free(e->key);
	free(e);
}

static void clear(struct lsym_symbols *s)
{
	for (size_t b = 0; b < NBUCKETS; b++) {
		for (struct entry *e = s->buckets[b], *n; e; e = n) {
			n = e->next;
			free_entry(e);
		}
		s->buckets[b] = NULL;
	}
	s->count = 0;
}

void lsym_symbols_trim(struct lsym_symbols *s)
{
	if (s->count > s->max)
		clear(s);
}

void lsym_symbols_free(struct lsym_symbols *s)
{
	if (!s)
		return;
	clear(s);
	free(s);
}

static size_t hash(const unsigned char *key, size_t n, uint64_t offset)
{
	uint64_t h = 1469598103934665603ull ^ offset;

	for (size_t i = 0; i < n; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	h ^= h >> 29;
	return (size_t)(h % NBUCKETS);
}

/* ---- names ---- */

/* Rust's legacy mangling ends in a hash (::h + 16 hex digits): not part of the name. */
static bool drop_rust_hash(char *d)
{
	size_t n = strlen(d);

	if (n > 19 && strncmp(d + n - 19, "::h", 3) == 0 &&
	    strspn(d + n - 16, "0123456789abcdef") == 16) {
		d[n - 19] = '\0';
		return true;
	}
	return false;
}

/* The characters Rust's legacy mangling writes as $NAME$ (and `..` for `::`), as
 * rustc-demangle reads them: `{{closure}}`, `<T as Trait>` instead of `$u7b$`… */
static const struct { const char *code; char c; } rust_escapes[] = {
	{ "SP", '@' }, { "BP", '*' }, { "RF", '&' }, { "LT", '<' }, { "GT", '>' }, { "LP", '(' },
	{ "RP", ')' }, { "C", ',' }, { "u7e", '~' }, { "u20", ' ' }, { "u27", '\'' }, { "u5b", '[' },
	{ "u5d", ']' }, { "u7b", '{' }, { "u7d", '}' }, { "u3b", ';' }, { "u2b", '+' }, { "u22", '"' },
};

/* Decodes the escapes of a demangled legacy Rust name in place (never longer). */
static void rust_unescape(char *d)
{
	char *out = d;

	for (const char *p = d; *p;) {
		if ((p == d || (p >= d + 2 && p[-1] == ':' && p[-2] == ':')) && p[0] == '_' && p[1] == '$') {
			p++; /* an identifier starting with $ gets a leading _ */
			continue;
		}
		if (p[0] == '.' && p[1] == '.') {
			*out++ = ':';
			*out++ = ':';
			p += 2;
			continue;
		}
		if (p[0] == '$') {
			const char *end = strchr(p + 1, '$');
			size_t i, len = end ? (size_t)(end - p - 1) : 0;

			for (i = 0; end && i < sizeof(rust_escapes) / sizeof(rust_escapes[0]); i++) {
				if (strlen(rust_escapes[i].code) == len && strncmp(p + 1, rust_escapes[i].code, len) == 0)
					break;
			}
			if (end && i < sizeof(rust_escapes) / sizeof(rust_escapes[0])) {
				*out++ = rust_escapes[i].c;
				p = end + 1;
				continue;
			}
		}
		*out++ = *p++;
	}
	*out = '\0';
}

static char *demangled(const char *name)
{
	int status = -1;
	char *d;

	if (!name)
		return NULL;
	if (name[0] == '_' && name[1] == 'Z') {
		d = __cxa_demangle(name, NULL, NULL, &status);
		if (d && status == 0) {
			if (drop_rust_hash(d))
				rust_unescape(d);
			return d;
		}
		free(d);
	}
	return strdup(name);
}

static char *die_function(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));

	if (!linkage)
		linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	/* Rust's v0 mangling (_R...) has no demangler here: its plain name reads better */
	if (linkage && linkage[0] == '_' && linkage[1] == 'R' && dwarf_diename(die))
		linkage = NULL;
	return demangled(linkage ? linkage : dwarf_diename(die));
}

/* ---- why a frame has no line ---- */

static bool has_symtab(Elf *elf)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			return true;
	}
	return false;
}

static const char *no_line_reason(Dwfl_Module *mod, const char *name, bool has_dwarf)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);

	if (!elf) {
		if (lsym_ends_with(name, LSYM_DELETED_SUFFIX))
			return "deleted binary";
		if (lsym_ends_with(name, LSYM_REPLACED_SUFFIX))
			return "binary replaced since it was mapped";
		return "binary not readable";
	}
	if (has_dwarf)
		return "no debug info for this code (built without -g)";
	return has_symtab(elf) ? "no debug info" : "stripped";
}

/* ---- building entries ---- */

struct builder {
	struct lsym_frame frames[LSYM_MAX_INLINE];
	int n;
};

static void add(struct builder *b, char *function, const char *file, int line, int column,
		bool inlined)
{
	struct lsym_frame *f;

	if (b->n == LSYM_MAX_INLINE) {
		free(function);
		return;
	}
	f = &b->frames[b->n++];
	f->function = function;
	f->file = file ? strdup(file) : NULL;
	f->line = line > 0 ? (uint32_t)line : 0;
	f->column = column > 0 ? (uint32_t)column : 0;
	f->flags = inlined ? LSYM_FRAME_INLINED : 0;
}

static char *symtab_function(Dwfl_Module *mod, Dwarf_Addr pc)
{
	GElf_Off off;
	GElf_Sym sym;

	return demangled(dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL));
}

/* The compile unit holding pc: from .debug_aranges, else by asking each unit
 * (Go writes no .debug_aranges). libdwfl answers an address between two
 * ranges with the unit before it (seen: crt1's _start, which has no DWARF,
 * given a line of the C++ unit placed before it), so its answer is checked. */
static Dwarf_Die *unit_at(Dwfl_Module *mod, Dwarf_Addr pc, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, bias);

	if (cu && dwarf_haspc(cu, pc - *bias) > 0)
		return cu;
	cu = NULL;
	while ((cu = dwfl_module_nextcu(mod, cu, bias))) {
		if (dwarf_haspc(cu, pc - *bias) > 0)
			return cu;
	}
	return NULL;
}

#define MAX_NESTING 64

/* The DIEs whose code holds pc, below parent, outermost first: what
 * dwarf_getscopes finds, for the units where it finds nothing (seen with
 * Rust's, libdw 0.188). Bounded, since the DWARF may be crafted. */
static int descend(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *chain, int depth, int nesting)
{
	Dwarf_Die child;

	if (nesting >= MAX_NESTING || depth >= MAX_NESTING || dwarf_child(parent, &child) != 0)
		return depth;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
			if (dwarf_haspc(&child, pc) > 0) {
				chain[depth] = child;
				return descend(&chain[depth], pc, chain, depth + 1, nesting + 1);
			}
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type: {
			int d = descend(&child, pc, chain, depth, nesting + 1);

			if (d > depth)
				return d;
			break;
		}
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return depth;
}

/* The same chain innermost first, in a malloc'd array as dwarf_getscopes gives. */
static int scopes_by_descent(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die **scopes)
{
	Dwarf_Die chain[MAX_NESTING];
	int n = descend(cudie, pc, chain, 0, 0);

	if (n <= 0 || !(*scopes = malloc((size_t)n * sizeof(**scopes))))
		return 0;
	for (int i = 0; i < n; i++)
		(*scopes)[i] = chain[n - 1 - i];
	return n;
}

/* A file name as DWARF gives it, made absolute: a relative name (rustc writes
 * the user's sources relative to the directory it ran in) is relative to the
 * unit's compilation directory when that is absolute; `.` and `dir/..` parts
 * are folded. Relative names under a relative compilation directory (glibc's
 * reproducible `./csu`) stay as they are. Returns file itself or out. */
static const char *absolute(const char *file, const char *comp_dir, char *out, size_t cap)
{
	char *parts[256];
	size_t n = 0, len;
	char *p, *save = NULL;

	if (!file || file[0] == '/' || !comp_dir || comp_dir[0] != '/')
		return file;
	if ((size_t)snprintf(out, cap, "%s/%s", comp_dir, file) >= cap)
		return file;
	for (p = strtok_r(out, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		if (n == sizeof(parts) / sizeof(parts[0]))
			return file;
		parts[n++] = p;
	}
	/* the parts point into out: move them down one by one, each at or after where it goes */
	len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);

		out[len++] = '/';
		memmove(out + len, parts[i], l);
		len += l;
	}
	out[len] = '\0';
	if (len == 0)
		strcpy(out, "/");
	return out;
}

/* The chain of inlined calls at pc: scopes[0] is the innermost DIE. */
static bool from_dwarf(struct builder *b, Dwfl_Module *mod, Dwarf_Addr pc)
{
	Dwarf_Addr bias;
	Dwarf_Die *cudie = unit_at(mod, pc, &bias);
	Dwarf_Die *scopes = NULL, innermost;
	Dwarf_Addr dwbias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &dwbias);
	Dwarf_Line *line;
	Dwarf_Files *files = NULL;
	Dwarf_Attribute cattr;
	const char *file = NULL, *comp_dir;
	char path[4096];
	int lineno = 0, col = 0, nscopes;

	if (!cudie || !dw)
		return false;
	comp_dir = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &cattr));
	line = dwarf_getsrc_die(cudie, pc - bias);
	if (line) {
		file = absolute(dwarf_linesrc(line, NULL, NULL), comp_dir, path, sizeof(path));
		dwarf_lineno(line, &lineno);
		dwarf_linecol(line, &col);
	}
	nscopes = dwarf_getscopes(cudie, pc - bias, &scopes);
	if (nscopes > 0 && dwarf_offdie(dw, dwarf_dieoffset(&scopes[0]), &innermost)) {
		free(scopes);
		scopes = NULL;
		nscopes = dwarf_getscopes_die(&innermost, &scopes);
	}
	if (nscopes <= 0) {
		free(scopes);
		scopes = NULL;
		nscopes = scopes_by_descent(cudie, pc - bias, &scopes);
	}
	if (nscopes <= 0) {
		if (!file)
			return false;
		add(b, symtab_function(mod, pc), file, lineno, col, false);
		return true;
	}
	dwarf_getsrcfiles(cudie, &files, NULL);
	for (int i = 0; i < nscopes; i++) {
		Dwarf_Die *die = &scopes[i];
		int tag = dwarf_tag(die);
		Dwarf_Attribute attr;
		Dwarf_Word v;

		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
			continue;
		add(b, die_function(die), file, lineno, col, tag == DW_TAG_inlined_subroutine);
		if (tag == DW_TAG_subprogram)
			break;
		/* The caller's location is this inlined call's site. */
		file = NULL;
		lineno = col = 0;
		if (files && dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &v) == 0)
			file = absolute(dwarf_filesrc(files, v, NULL, NULL), comp_dir, path, sizeof(path));
		if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &v) == 0)
			lineno = (int)v;
		if (dwarf_formudata(dwarf_attr(die, DW_AT_call_column, &attr), &v) == 0)
			col = (int)v;
	}
	free(scopes);
	if (b->n == 0 && file)
		add(b, symtab_function(mod, pc), file, lineno, col, false);
	if (b->n > 0 && !b->frames[b->n - 1].function)
		b->frames[b->n - 1].function = symtab_function(mod, pc);
	return b->n > 0;
}

static struct entry *build(Dwfl_Module *mod, Dwarf_Addr pc, const char *name)
{
	struct builder b = { .n = 0 };
	Dwarf_Addr bias;
	bool has_dwarf = dwfl_module_getdwarf(mod, &bias) != NULL;
	const char *reason = NULL;
	struct entry *e;
	const char *module = name;
	char vdso[] = "[vdso]";

	if (strncmp(name, "[vdso", 5) == 0)
		module = vdso;
	if (!(has_dwarf && from_dwarf(&b, mod, pc))) {
		reason = no_line_reason(mod, name, has_dwarf);
		add(&b, symtab_function(mod, pc), NULL, 0, 0, false);
	}
	e = calloc(1, sizeof(*e) + (size_t)b.n * sizeof(e->frames[0]));
	if (!e) {
		for (int i = 0; i < b.n; i++) {
			free((char *)b.frames[i].function);
			free((char *)b.frames[i].file);
		}
		return NULL;
	}
	e->nframes = b.n;
	for (int i = 0; i < b.n; i++) {
		e->frames[i] = b.frames[i];
		e->frames[i].pc = pc;
		e->frames[i].module = strdup(module);
		/* a frame without a line says why; a frame with one needs no reason */
		e->frames[i].reason = e->frames[i].line ? NULL : (reason ? reason : "no line for this address");
	}
	return e;
}

/* A module's answers are keyed by its build-id and its file name: the same
 * build-id under another name may be a stripped copy or have its debug file
 * elsewhere, so it does not share answers. */
static size_t module_key(Dwfl_Module *mod, const char *name, unsigned char *key, size_t cap)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);
	size_t len = 0, namelen = strlen(name);

	if (n > 0 && (size_t)n < cap) {
		memcpy(key, bits, (size_t)n);
		len = (size_t)n;
	}
	if (namelen > cap - len)
		namelen = cap - len;
	memcpy(key + len, name, namelen);
	return len + namelen;
}

static const struct lsym_frame unmapped = {
	.reason = "not in a mapped file (JIT or anonymous memory)",
	.module = "",
};

int lsym_symbolize(struct lsym_symbols *s, Dwfl *dwfl, uint64_t pc, bool activation,
		   const struct lsym_frame **frames)
{
	/* A return address points after the call: look up the call itself. */
	Dwarf_Addr lookup = activation || pc == 0 ? pc : pc - 1;
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, lookup);
	const char *name;
	Dwarf_Addr low;
	unsigned char key[512];
	size_t keylen, b;
	struct entry *e;

	if (!mod || !(name = dwfl_module_info(mod, NULL, &low, NULL, NULL, NULL, NULL, NULL))) {
		*frames = &unmapped;
		return 1;
	}
	keylen = module_key(mod, name, key, sizeof(key));
	b = hash(key, keylen, lookup - low);
	for (e = s->buckets[b]; e; e = e->next) {
		if (e->offset == lookup - low && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			break;
	}
	if (!e) {
		/* DWARF from the file's shared session (its debug file opened once for
		 * every process); the process's own module when the file is gone */
		Dwarf_Addr shared_pc;
		Dwfl_Module *shared = lsym_debugfiles_module(s->files, mod, name, lookup, &shared_pc);

		e = shared ? build(shared, shared_pc, name) : build(mod, lookup, name);
		if (!e) {
			*frames = &unmapped;
			return 1;
		}
		e->offset = lookup - low;
		e->keylen = keylen;
		e->key = malloc(keylen);
		if (e->key)
			memcpy(e->key, key, keylen);
		else
			e->keylen = 0;
		e->next = s->buckets[b];
		s->buckets[b] = e;
		s->count++;
	}
	*frames = e->frames;
	return e->nframes;
}
