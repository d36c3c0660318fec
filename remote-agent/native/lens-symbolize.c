// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lens-symbolize: turns a user-stack snapshot (registers + the top of the
 * stack, as the probe copies them) into source frames. It runs as the user,
 * never with the probe's privileges, because it parses ELF and DWARF files a
 * traced program may have crafted. Requests on stdin, answers on stdout, one
 * answer per request, in order (protocol.h).
 *
 *   lens-symbolize [--debuginfo-path PATH] [--max-processes N] [--max-symbols N]
 *                  [--max-debug-files N]
 *
 * --debuginfo-path  where separate debug files are looked for (libdwfl syntax,
 *                   default ":.debug:/usr/lib/debug": build-id under each
 *                   absolute entry, debuglink beside the file and in .debug/)
 * --max-processes   processes whose modules stay loaded (default 64)
 * --max-symbols     cached pc answers before the cache is dropped (default 50000)
 * --max-debug-files module files whose DWARF (and separate debug file) stays
 *                   open, shared by all processes (default 32)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "jit.h"
#include "procs.h"
#include "symbols.h"
#include "unwind.h"

/* After this many requests a pc outside every module rereads the maps (a
 * library loaded since); below it, JIT code does not reread them each time. */
#define REREAD_AFTER 256

static int usage(const char *bad)
{
	fprintf(stderr, "lens-symbolize: unexpected argument '%s'\n"
		"usage: lens-symbolize [--debuginfo-path PATH] [--max-processes N] [--max-symbols N] [--max-debug-files N]\n", bad);
	return 2;
}

/* libdwfl keeps each module's file open: 64 processes of 50 libraries are
 * more files than the usual soft limit of 1024, so take what the hard limit allows. */
static void raise_file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static bool unknown_pc(Dwfl *dwfl, const struct lsym_pcs *pcs)
{
	for (int i = 0; i < pcs->count; i++) {
		if (!dwfl_addrmodule(dwfl, pcs->pc[i] - !pcs->activation[i]))
			return true;
	}
	return false;
}

static void answer_unwind(struct lsym_procs *ps, struct lsym_symbols *syms, struct lsym_jit *jit,
			  const struct lsym_request *req, struct lsym_answer *a)
{
	struct lsym_proc *p = lsym_procs_get(ps, req);
	struct lsym_pcs pcs;
	int total = 0;

	if (!p->dwfl) {
		lsym_answer_begin(a, req->id, LSYM_ANS_TRUNCATED, "", p->error);
		return;
	}
	lsym_unwind(p, &pcs);
	/* mappings from the request are those of the event: nothing newer to read */
	if (!p->from_table && unknown_pc(p->dwfl, &pcs) && p->since_read > REREAD_AFTER) {
		lsym_proc_reread(ps, p);
		if (!p->dwfl) {
			lsym_answer_begin(a, req->id, LSYM_ANS_TRUNCATED, "", p->error);
			return;
		}
		lsym_unwind(p, &pcs);
	}
	lsym_answer_begin(a, req->id, pcs.truncation ? LSYM_ANS_TRUNCATED : 0,
			  pcs.truncation ? pcs.truncation : "", "");
	for (int i = 0; i < pcs.count && total < LSYM_MAX_FRAMES; i++) {
		const struct lsym_frame *frames;
		int n = lsym_symbolize(syms, p->dwfl, pcs.pc[i], pcs.activation[i], &frames);

		for (int j = 0; j < n && total < LSYM_MAX_FRAMES; j++, total++) {
			struct lsym_frame f = frames[j];

			f.pc = pcs.pc[i];
			/* outside every file, or unnamed (/proc/PID/maps gives a file mapped twice one range over both) */
			if (n == 1 && !f.function && !f.file)
				lsym_jit_frame(jit, req, pcs.pc[i], &f);
			lsym_answer_frame(a, &f);
		}
	}
}

int main(int argc, char **argv)
{
	const char *debuginfo_path = NULL;
	int max_procs = 64;
	long max_syms = 50000;
	int max_files = 32;
	struct lsym_debugfiles *files;
	struct lsym_procs ps;
	struct lsym_symbols *syms;
	struct lsym_jit *jit;
	struct lsym_answer a = { 0 };
	uint8_t *buf = malloc(LSYM_MAX_REQUEST);
	struct lsym_input *in = malloc(sizeof(*in));
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--debuginfo-path") == 0)
			debuginfo_path = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--max-processes") == 0 && atoi(argv[i + 1]) > 0)
			max_procs = atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--max-symbols") == 0 && atol(argv[i + 1]) > 0)
			max_syms = atol(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--max-debug-files") == 0 && atoi(argv[i + 1]) > 0)
			max_files = atoi(argv[++i]);
		else
			return usage(argv[i]);
	}
	raise_file_limit();
	files = lsym_debugfiles_new(max_files, debuginfo_path);
	syms = files ? lsym_symbols_new((size_t)max_syms, files) : NULL;
	jit = lsym_jit_new(max_procs);
	if (!buf || !in || !syms || !jit || lsym_procs_init(&ps, max_procs, debuginfo_path) != 0) {
		fprintf(stderr, "lens-symbolize: out of memory at start\n");
		return 1;
	}
	in->fd = 0;
	in->answers = stdout;
	in->at = in->len = 0;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	for (;;) {
		struct lsym_request req;
		uint32_t len;
		const char *bad;
		enum lsym_read r = lsym_read_frame(in, buf, &len);

		if (r == LSYM_READ_EOF)
			break;
		if (r == LSYM_READ_BROKEN) {
			/* The stream cannot be resynchronised: say so once and stop. */
			lsym_answer_begin(&a, 0, LSYM_ANS_TRUNCATED, "",
					  "request stream broken (truncated frame or length over the limit); restart the helper");
			lsym_answer_send(&a, stdout);
			status = 3;
			break;
		}
		lsym_symbols_trim(syms);
		bad = lsym_parse_request(buf, len, &req);
		if (bad) {
			lsym_answer_begin(&a, req.id, LSYM_ANS_TRUNCATED, "", bad);
		} else if (req.type == LSYM_REQ_FORGET) {
			lsym_procs_forget(&ps, req.pid, req.start);
			lsym_jit_forget(jit, req.pid, req.start);
			lsym_answer_begin(&a, req.id, 0, "", "");
		} else {
			answer_unwind(&ps, syms, jit, &req, &a);
		}
		if (lsym_answer_send(&a, stdout) != 0)
			break;
	}
	fflush(stdout);
	lsym_answer_free(&a);
	lsym_procs_free(&ps);
	lsym_symbols_free(syms);
	lsym_debugfiles_free(files);
	lsym_jit_free(jit);
	free(buf);
	free(in);
	return status;
}
