/*
 * lens-remote: what the Runtime Lens agent runs on a remote host through ssh,
 * where there may be no Node.js. Two commands:
 *   lens-remote facts [--tree PID]   process facts from /proc as JSON lines
 *   lens-remote mux [--alive SECONDS] -- PROGRAM [ARGS...]
 *                                    PROGRAM's six stdio fds over one stream
 */
#include <stdio.h>
#include <string.h>
#include "lens-remote.h"

static int usage(void)
{
	fprintf(stderr, "usage: lens-remote facts [--tree PID]\n"
			"       lens-remote mux [--alive SECONDS] -- PROGRAM [ARGS...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "facts") == 0)
		return lens_facts(argc - 2, argv + 2);
	if (strcmp(argv[1], "mux") == 0)
		return lens_mux(argc - 2, argv + 2);
	return usage();
}
