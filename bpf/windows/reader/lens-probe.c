/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lens-probe.exe: the Windows probe's reader. The programs of bpf/windows are
 * loaded (netsh ebpf add program) before it starts; it opens their pinned maps
 * through ebpfapi.dll, adds the processes to trace to lens_tracked, polls the
 * lens_events ring buffer synchronously and writes the packets lens-probe
 * writes on Linux (events.h framing) to stdout. stdin takes the same control
 * commands (add, remove, stats, stop; EOF is stop); python is refused.
 *
 *   lens-probe.exe [--pin-root DIR] [--stats-ms N] [--events GROUPS] [--pid PID]... [-- COMMAND LINE]
 *
 * GROUPS (default exec,net): exec and net are traced on Windows; each other group
 * asked for gets an ERROR DEGRADED packet (no such hooks in eBPF for Windows).
 *
 * With a command, it is started suspended, added, then resumed (TARGET STARTED,
 * and TARGET EXITED with its exit code when it ends).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <io.h>

#include "../../linux/events.h"
#include "ebpfapi.h"

#define LENS_WIN_EXEC_KINDS ((1u << LENS_EXEC) | (1u << LENS_FORK) | (1u << LENS_EXIT))
#define LENS_WIN_NET_KINDS ((1u << LENS_CONNECT) | (1u << LENS_ACCEPT) | (1u << LENS_BIND))
#define LENS_WIN_RINGBUF_BYTES (8u << 20)
#define OUT_MAX (1u << 20)   /* records batched per RECORDS packet */

#define DECLARE(ret, name, args) static ret (*p_##name) args;
LENS_EBPFAPI_FUNCS(DECLARE)

static struct {
	int events_fd, tracked_fd, drops_fd;
	__u32 kinds;               /* 1 << kind of each kind asked for (--events) */
	struct lens_stats stats;
	unsigned char *out;
	size_t out_len;
	CRITICAL_SECTION lock;     /* the command queue below */
	char cmds[64][LENS_CMD_LINE_MAX];
	int ncmds;
	int eof;
	HANDLE target;
	DWORD target_pid;
} g;

static void write_all(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len) {
		int n = _write(1, p, len > (1u << 30) ? (1u << 30) : (unsigned)len);
		if (n <= 0)
			exit(1);  /* stdout closed: the agent is gone */
		p += n;
		len -= n;
	}
}

static void packet(unsigned type, const void *payload, size_t len)
{
	struct lens_packet h = { .len = (__u32)len, .type = (__u16)type };
	write_all(&h, sizeof(h));
	if (len)
		write_all(payload, len);
}

static void flush_records(void)
{
	if (!g.out_len)
		return;
	packet(LENS_PACKET_RECORDS, g.out, g.out_len);
	g.out_len = 0;
}

static void error_packet(unsigned code, int err, const char *fmt, const char *arg)
{
	struct lens_error e = { .code = code, .errno_val = err };
	snprintf(e.message, sizeof(e.message), fmt, arg);
	fprintf(stderr, "lens-probe.exe: %s\n", e.message);
	packet(LENS_PACKET_ERROR, &e, sizeof(e));
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct lens_hdr *h = data;
	if (size < sizeof(*h) || h->size > size || h->kind >= LENS_KIND_MAX || !(g.kinds & (1u << h->kind)))
		return 0;  /* a group not asked for is not an event, nor a loss */
	if (g.out_len + h->size > OUT_MAX)
		flush_records();
	memcpy(g.out + g.out_len, data, h->size);
	g.out_len += h->size;
	g.stats.events[h->kind]++;
	g.stats.committed[h->kind]++;
	return 0;
}

/* lens_drops: records the programs could not put in the full ring buffer, per kind */
static void read_drops(void)
{
	if (g.drops_fd < 0)
		return;
	for (__u32 kind = 0; kind < LENS_KIND_MAX; kind++) {
		__u64 n = 0;
		if (p_bpf_map_lookup_elem(g.drops_fd, &kind, &n) == 0)
			g.stats.dropped[kind] = n;
	}
}

static void stats_packet(int final)
{
	read_drops();
	g.stats.final = final;
	g.stats.queued_bytes = 0;
	packet(LENS_PACKET_STATS, &g.stats, sizeof(g.stats));
}

static void target_packet(unsigned state, DWORD pid, int code)
{
	struct lens_target t = { .state = state, .pid = pid, .exit_code = code };
	packet(LENS_PACKET_TARGET, &t, sizeof(t));
}

static int track(DWORD pid)
{
	struct lens_tracked_val v = { 0 };
	__u32 key = pid;
	return p_bpf_map_update_elem(g.tracked_fd, &key, &v, 0);
}

static DWORD WINAPI stdin_thread(LPVOID arg)
{
	char line[LENS_CMD_LINE_MAX];
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		EnterCriticalSection(&g.lock);
		if (g.ncmds < 64)
			strcpy(g.cmds[g.ncmds++], line);
		LeaveCriticalSection(&g.lock);
	}
	EnterCriticalSection(&g.lock);
	g.eof = 1;
	LeaveCriticalSection(&g.lock);
	return 0;
}

/* runs the queued commands; returns 1 when asked to stop */
static int run_commands(void)
{
	char cmds[64][LENS_CMD_LINE_MAX];
	int n, eof;
	EnterCriticalSection(&g.lock);
	n = g.ncmds;
	memcpy(cmds, g.cmds, sizeof(cmds[0]) * n);
	g.ncmds = 0;
	eof = g.eof;
	LeaveCriticalSection(&g.lock);
	for (int i = 0; i < n; i++) {
		char word[16] = "";
		unsigned long pid = 0;
		sscanf(cmds[i], "%15s %lu", word, &pid);
		if (!strcmp(word, LENS_CMD_STOP))
			return 1;
		if (!strcmp(word, LENS_CMD_STATS)) {
			flush_records();
			stats_packet(0);
		} else if (!strcmp(word, LENS_CMD_ADD) && pid) {
			HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, pid);
			if (!h) {
				error_packet(LENS_ERR_NO_SUCH_PID, 3, "no process %s: nothing to add", cmds[i] + 4);
				continue;
			}
			CloseHandle(h);
			if (track(pid))
				error_packet(LENS_ERR_INTERNAL, 0, "cannot add %s to lens_tracked", cmds[i] + 4);
			else
				target_packet(LENS_TARGET_ADDED, pid, 0);
		} else if (!strcmp(word, LENS_CMD_REMOVE) && pid) {
			__u32 key = pid;
			p_bpf_map_delete_elem(g.tracked_fd, &key);
		} else if (!strcmp(word, LENS_CMD_PYTHON)) {
			error_packet(LENS_ERR_USAGE, 0, "%s", "Python frames are not read on Windows (no probe_read in eBPF for Windows)");
		} else if (word[0]) {
			error_packet(LENS_ERR_USAGE, 0, "unknown command: %s", cmds[i]);
		}
	}
	return eof;
}

static int open_map(const char *root, const char *name, int required)
{
	char path[MAX_PATH];
	snprintf(path, sizeof(path), "%s/%s", root, name);
	int fd = p_bpf_obj_get(path);
	if (fd < 0 && required) {
		error_packet(LENS_ERR_ATTACH, 2, "cannot open the pinned map %s: load the programs first (netsh ebpf add program process.o pinned=all; net.o likewise)", path);
		exit(1);
	}
	return fd;
}

static void hello(void)
{
	struct lens_hello h = { .abi_version = LENS_ABI_VERSION, .kinds_mask = g.kinds, .ringbuf_bytes = LENS_WIN_RINGBUF_BYTES };
	FILETIME ft;
	ULONGLONG interrupt;
	GetSystemTimePreciseAsFileTime(&ft);
	QueryUnbiasedInterruptTime(&interrupt);
	__u64 epoch_100ns = (((__u64)ft.dwHighDateTime << 32) | ft.dwLowDateTime) - 116444736000000000ull;
	h.realtime_offset_ns = (__s64)(epoch_100ns * 100) - (__s64)(interrupt * 100);
	strcpy(h.machine, "x86_64");
	packet(LENS_PACKET_HELLO, &h, sizeof(h));
}

/* --events: the kinds to pass on; each group Windows cannot trace is said (ERROR DEGRADED) after HELLO */
static void parse_events(char *groups, char *unsupported, size_t len)
{
	g.kinds = 0;
	unsupported[0] = 0;
	for (char *w = strtok(groups, ","); w; w = strtok(NULL, ",")) {
		if (!strcmp(w, "exec"))
			g.kinds |= LENS_WIN_EXEC_KINDS;
		else if (!strcmp(w, "net"))
			g.kinds |= LENS_WIN_NET_KINDS;
		else if (strlen(unsupported) + strlen(w) + 2 < len)
			strcat(strcat(unsupported, w), ",");
	}
}

static void say_unsupported(char *unsupported)
{
	for (char *w = strtok(unsupported, ","); w; w = strtok(NULL, ","))
		error_packet(LENS_ERR_DEGRADED, 0, "%s events are not traced on Windows (eBPF for Windows has no such hooks); process and network events are", w);
}

static void usage(const char *why)
{
	error_packet(LENS_ERR_USAGE, 0, "%s; usage: lens-probe.exe [--pin-root DIR] [--stats-ms N] [--pid PID]... [-- COMMAND LINE]", why);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *root = "/ebpf/global";
	int stats_ms = 1000, npids = 0;
	DWORD pids[64];
	char cmdline[32768] = "";
	char unsupported[128] = "";
	g.kinds = LENS_WIN_EXEC_KINDS | LENS_WIN_NET_KINDS;
	_setmode(0, _O_BINARY);
	_setmode(1, _O_BINARY);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pin-root") && i + 1 < argc) {
			root = argv[++i];
		} else if (!strcmp(argv[i], "--stats-ms") && i + 1 < argc) {
			stats_ms = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--events") && i + 1 < argc) {
			parse_events(argv[++i], unsupported, sizeof(unsupported));
		} else if (!strcmp(argv[i], "--pid") && i + 1 < argc && npids < 64) {
			pids[npids++] = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--")) {
			for (int j = i + 1; j < argc; j++) {
				strncat(cmdline, argv[j], sizeof(cmdline) - strlen(cmdline) - 2);
				if (j + 1 < argc)
					strcat(cmdline, " ");
			}
			break;
		} else {
			usage(argv[i]);
		}
	}
	if (!npids && !cmdline[0])
		usage("nothing to trace");

	HMODULE dll = LoadLibraryA("ebpfapi.dll");
	if (!dll) {
		error_packet(LENS_ERR_ATTACH, (int)GetLastError(), "%s", "ebpfapi.dll not found: install eBPF for Windows (https://github.com/microsoft/ebpf-for-windows/releases)");
		return 1;
	}
#define RESOLVE(ret, name, args) \
	if (!(p_##name = (void *)GetProcAddress(dll, #name))) { \
		error_packet(LENS_ERR_ATTACH, 0, "ebpfapi.dll has no %s: install eBPF for Windows 0.21 or newer", #name); \
		return 1; \
	}
	LENS_EBPFAPI_FUNCS(RESOLVE)

	g.out = malloc(OUT_MAX);
	InitializeCriticalSection(&g.lock);
	g.events_fd = open_map(root, "lens_events", 1);
	g.tracked_fd = open_map(root, "lens_tracked", 1);
	g.drops_fd = open_map(root, "lens_drops", 0);
	struct ring_buffer_opts opts = { .sz = sizeof(opts), .flags = RINGBUF_FLAG_NO_AUTO_CALLBACK };
	struct ring_buffer *rb = p_ring_buffer__new(g.events_fd, on_record, NULL, &opts);
	if (!rb) {
		error_packet(LENS_ERR_ATTACH, 0, "%s", "ring_buffer__new failed on lens_events");
		return 1;
	}
	hello();
	say_unsupported(unsupported);
	for (int i = 0; i < npids; i++) {
		char pid[16];
		snprintf(pid, sizeof(pid), "%lu", (unsigned long)pids[i]);
		if (track(pids[i]))
			error_packet(LENS_ERR_NO_SUCH_PID, 3, "cannot trace process %s", pid);
		else
			target_packet(LENS_TARGET_ATTACHED, pids[i], 0);
	}
	if (cmdline[0]) {
		STARTUPINFOA si = { .cb = sizeof(si) };
		PROCESS_INFORMATION pi;
		if (!CreateProcessA(NULL, cmdline, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
			error_packet(LENS_ERR_EXEC, (int)GetLastError(), "cannot start %s", cmdline);
			return 1;
		}
		track(pi.dwProcessId);
		ResumeThread(pi.hThread);
		CloseHandle(pi.hThread);
		g.target = pi.hProcess;
		g.target_pid = pi.dwProcessId;
		target_packet(LENS_TARGET_STARTED, pi.dwProcessId, 0);
	}
	CreateThread(NULL, 0, stdin_thread, NULL, 0, NULL);

	ULONGLONG last_stats = GetTickCount64();
	for (;;) {
		p_ring_buffer__poll(rb, 100);
		flush_records();
		if (run_commands())
			break;
		if (g.target && WaitForSingleObject(g.target, 0) == WAIT_OBJECT_0) {
			DWORD code = 0;
			GetExitCodeProcess(g.target, &code);
			CloseHandle(g.target);
			g.target = NULL;
			target_packet(LENS_TARGET_EXITED, g.target_pid, (int)code);
		}
		if (stats_ms > 0 && GetTickCount64() - last_stats >= (ULONGLONG)stats_ms) {
			stats_packet(0);
			last_stats = GetTickCount64();
		}
	}
	/* drain what is left, then the final counters; the tree we added leaves lens_tracked */
	while (p_ring_buffer__poll(rb, 0) > 0)
		flush_records();
	flush_records();
	stats_packet(1);
	for (int i = 0; i < npids; i++) {
		__u32 key = pids[i];
		p_bpf_map_delete_elem(g.tracked_fd, &key);
	}
	if (g.target_pid) {
		__u32 key = g.target_pid;
		p_bpf_map_delete_elem(g.tracked_fd, &key);
	}
	p_ring_buffer__free(rb);
	return 0;
}
