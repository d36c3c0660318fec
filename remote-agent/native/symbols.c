// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Symbolization with libdw: the line table gives the innermost file:line:col,
 * the DIE scopes around the pc (dwarf_getscopes_die) give the chain of inlined
 * calls with their call sites; without DWARF the symbol table names the
 * function and the frame says why it has no line. */
#include <dwarf.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdw.h>
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
};

struct lsym_symbols *lsym_symbols_new(size_t max_entries)
{
	struct lsym_symbols *s = calloc(1, sizeof(*s));

	if (s)
		s->max = max_entries;
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
static void drop_rust_hash(char *d)
{
	size_t n = strlen(d);

	if (n > 19 && strncmp(d + n - 19, "::h", 3) == 0 &&
	    strspn(d + n - 16, "0123456789abcdef") == 16)
		d[n - 19] = '\0';
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
			drop_rust_hash(d);
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
		size_t n = strlen(name), m = strlen(" (deleted)");

		if (n >= m && strcmp(name + n - m, " (deleted)") == 0)
			return "deleted binary";
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
 * (Go writes no .debug_aranges). */
static Dwarf_Die *unit_at(Dwfl_Module *mod, Dwarf_Addr pc, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, pc, bias);

	if (cu)
		return cu;
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
	const char *file = NULL;
	int lineno = 0, col = 0, nscopes;

	if (!cudie || !dw)
		return false;
	line = dwarf_getsrc_die(cudie, pc - bias);
	if (line) {
		file = dwarf_linesrc(line, NULL, NULL);
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
			file = dwarf_filesrc(files, v, NULL, NULL);
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
		e = build(mod, lookup, name);
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
