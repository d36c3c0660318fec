/*
 * lens-seccomp: runs a command under a seccomp filter built with libseccomp,
 * the way OCI runtimes apply a profile's `defaultAction`, `architectures` and
 * `syscalls` (names and action). The agent reads the OCI JSON and passes it
 * here as arguments, so this program parses no files:
 *
 *   lens-seccomp --default ACTION [--arch NAME]... [--rule ACTION=NAME,NAME...]... -- COMMAND [ARGS...]
 *
 * ACTION is allow, errno:N, kill-thread, kill-process, trap or log; NAME an
 * architecture (x86_64, x86, x32, aarch64, ...) or a syscall name as libseccomp
 * knows it. no_new_privs is set (libseccomp's default), so no privilege is needed.
 * Exit status: the command's (it replaces this process); 125 for a bad argument
 * or a filter that could not be loaded, 126/127 when the command could not run.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_SETUP 125

static void usage(void)
{
	fprintf(stderr, "usage: lens-seccomp --default ACTION [--arch NAME]... [--rule ACTION=NAME,NAME...]... -- COMMAND [ARGS...]\n"
			"  ACTION: allow, errno:N, kill-thread, kill-process, trap, log\n");
	exit(EXIT_SETUP);
}

/* Parses ACTION into a libseccomp action; exits naming the bad value. */
static uint32_t parse_action(const char *s)
{
	if (!strcmp(s, "allow"))
		return SCMP_ACT_ALLOW;
	if (!strcmp(s, "kill-thread"))
		return SCMP_ACT_KILL_THREAD;
	if (!strcmp(s, "kill-process"))
		return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(s, "trap"))
		return SCMP_ACT_TRAP;
	if (!strcmp(s, "log"))
		return SCMP_ACT_LOG;
	if (!strncmp(s, "errno:", 6)) {
		char *end;
		long n = strtol(s + 6, &end, 10);
		if (*end == '\0' && end != s + 6 && n >= 0 && n <= 4095)
			return SCMP_ACT_ERRNO((uint32_t)n);
	}
	fprintf(stderr, "lens-seccomp: unknown action '%s'; expected allow, errno:N (0..4095), kill-thread, kill-process, trap or log\n", s);
	exit(EXIT_SETUP);
}

/* Adds one rule per syscall name in the comma-separated list; a name libseccomp does not know here is skipped with a warning. */
static void add_rules(scmp_filter_ctx ctx, uint32_t def, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq) {
		fprintf(stderr, "lens-seccomp: --rule '%s' has no '=': expected ACTION=NAME,NAME...\n", spec);
		exit(EXIT_SETUP);
	}
	char action[64];
	size_t alen = (size_t)(eq - spec);
	if (alen >= sizeof(action)) {
		fprintf(stderr, "lens-seccomp: --rule '%s': the action is too long\n", spec);
		exit(EXIT_SETUP);
	}
	memcpy(action, spec, alen);
	action[alen] = '\0';
	uint32_t act = parse_action(action);
	char *names = strdup(eq + 1);
	if (!names) {
		perror("lens-seccomp");
		exit(EXIT_SETUP);
	}
	char *save = NULL;
	for (char *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "lens-seccomp: warning: syscall '%s' is unknown to libseccomp on this system; its rule is skipped\n", name);
			continue;
		}
		/* a rule that does what the default does adds nothing (libseccomp refuses it) */
		if (act == def)
			continue;
		int rc = seccomp_rule_add(ctx, act, nr, 0);
		if (rc < 0) {
			fprintf(stderr, "lens-seccomp: cannot add the rule for '%s': %s\n", name, strerror(-rc));
			exit(EXIT_SETUP);
		}
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *def_spec = NULL;
	int cmd = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			cmd = i + 1;
			break;
		}
		if (!strcmp(argv[i], "--default") && i + 1 < argc)
			def_spec = argv[++i];
		else if ((!strcmp(argv[i], "--arch") || !strcmp(argv[i], "--rule")) && i + 1 < argc)
			i++;
		else {
			fprintf(stderr, "lens-seccomp: unexpected argument '%s'\n", argv[i]);
			usage();
		}
	}
	if (!def_spec || !cmd || cmd >= argc)
		usage();

	uint32_t def = parse_action(def_spec);
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx) {
		fprintf(stderr, "lens-seccomp: seccomp_init failed\n");
		return EXIT_SETUP;
	}
	for (int i = 1; i < cmd - 1; i++) {
		if (!strcmp(argv[i], "--arch")) {
			uint32_t arch = seccomp_arch_resolve_name(argv[++i]);
			if (!arch) {
				fprintf(stderr, "lens-seccomp: unknown architecture '%s'\n", argv[i]);
				return EXIT_SETUP;
			}
			int rc = seccomp_arch_add(ctx, arch);
			if (rc < 0 && rc != -EEXIST) {
				fprintf(stderr, "lens-seccomp: cannot add architecture '%s': %s\n", argv[i], strerror(-rc));
				return EXIT_SETUP;
			}
		} else if (!strcmp(argv[i], "--rule")) {
			add_rules(ctx, def, argv[++i]);
		} else if (!strcmp(argv[i], "--default")) {
			i++;
		}
	}
	int rc = seccomp_load(ctx);
	if (rc < 0) {
		fprintf(stderr, "lens-seccomp: cannot load the filter: %s\n", strerror(-rc));
		return EXIT_SETUP;
	}
	seccomp_release(ctx);
	execvp(argv[cmd], &argv[cmd]);
	int err = errno;
	fprintf(stderr, "lens-seccomp: cannot run '%s': %s%s\n", argv[cmd], strerror(err),
		err == EPERM ? " (the profile may not allow execve)" : "");
	return err == ENOENT ? 127 : 126;
}
