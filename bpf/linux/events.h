/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Record layouts shared by the kernel programs (Linux, and eBPF for Windows in
 * bpf/windows/), lens-probe, lens-probe.exe and the agent's decoder
 * (remote-agent/src/decode/). Fixed-width types and explicit padding
 * only: test/unit/agent/layout.test.ts compiles this header and checks every
 * offset the decoder uses. Change a layout here and in the decoder together,
 * and bump LENS_ABI_VERSION.
 */
#ifndef LENS_EVENTS_H
#define LENS_EVENTS_H

#if defined(__VMLINUX_H__)
/* the fixed-width types come from vmlinux.h */
#elif defined(__linux__)
#include <linux/types.h>
#else
/* eBPF for Windows programs (clang -target bpf) and the Windows reader (mingw) */
typedef __UINT8_TYPE__ __u8;
typedef __INT8_TYPE__ __s8;
typedef __UINT16_TYPE__ __u16;
typedef __INT16_TYPE__ __s16;
typedef __UINT32_TYPE__ __u32;
typedef __INT32_TYPE__ __s32;
typedef __UINT64_TYPE__ __u64;
typedef __INT64_TYPE__ __s64;
#endif

#define LENS_ABI_VERSION 9

#define LENS_COMM_LEN 16
#define LENS_PATH_MAX 4096    /* one path or directory, its NUL included (PATH_MAX); longer is truncated */
#define LENS_ARGV_LEN 8192    /* argv bytes kept: NUL-separated arguments; more is truncated */
#define LENS_ENV_LEN 8192     /* environment bytes kept of a successful exec: NUL-separated NAME=value; the rest is left out */
#define LENS_ARGV_MAX 1024    /* at most this many arguments are read (argc counts further) */
#define LENS_DNS_NAME_LEN 128
#define LENS_DNS_MAX_ANSWERS 8
#define LENS_SYSCALL_MAX 512  /* syscall numbers at or above this are not traced */
#define LENS_HIST_BUCKETS 32  /* log2(ns) latency buckets */

/*
 * Event kinds: lens_hdr.kind. Each kind has one record struct below. Every
 * kind is a kind of the event model (remote-agent/src/model/event-model.ts,
 * checked against this enum by test/unit/agent/event-model.test.ts): drops
 * and deliveries are counted per kind, so a lost rename counts as a rename.
 */
enum lens_kind {
	LENS_EXEC = 1,      /* struct lens_exec_event */
	LENS_FORK = 2,      /* struct lens_fork_event */
	LENS_EXIT = 3,      /* struct lens_exit_event */
	LENS_OPEN = 4,      /* struct lens_open_event: open, openat, openat2, creat */
	LENS_UNLINK = 5,    /* struct lens_fsop_event (LENS_UNLINK..LENS_CHDIR): unlink, unlinkat */
	LENS_RMDIR = 6,     /* rmdir, unlinkat(AT_REMOVEDIR) */
	LENS_RENAME = 7,    /* rename, renameat, renameat2 */
	LENS_MKDIR = 8,     /* mkdir, mkdirat */
	LENS_CHMOD = 9,     /* chmod, fchmod, fchmodat, fchmodat2 */
	LENS_CHOWN = 10,    /* chown, lchown, fchown, fchownat */
	LENS_TRUNCATE = 11, /* truncate, ftruncate */
	LENS_LINK = 12,     /* link, linkat */
	LENS_SYMLINK = 13,  /* symlink, symlinkat */
	LENS_CHDIR = 14,    /* chdir, fchdir */
	LENS_CONNECT = 15,  /* struct lens_sock_event */
	LENS_ACCEPT = 16,   /* struct lens_sock_event */
	LENS_BIND = 17,     /* struct lens_sock_event */
	LENS_LISTEN = 18,   /* struct lens_sock_event (backlog in .extra) */
	LENS_TCP_CLOSE = 19,/* struct lens_tcp_event: bytes at close */
	LENS_UDP_SEND = 20, /* struct lens_sock_event: first datagram to a destination */
	LENS_DNS = 21,      /* struct lens_dns_event */
	LENS_SYSCALL = 22,  /* struct lens_syscall_event: full stream */
	LENS_MMAP = 23,     /* struct lens_mmap_event: code mapped (--stacks only; for the symbolizer, not an event) */
	LENS_PTRACE = 24,   /* struct lens_ptrace_event: ptrace acting on a process, process_vm_writev */
	LENS_KIND_MAX = 25,
};

/* The kinds of struct lens_fsop_event, a contiguous range. */
#define LENS_FSOP_FIRST LENS_UNLINK
#define LENS_FSOP_LAST LENS_CHDIR
#define LENS_FSOP_KINDS (((1u << (LENS_FSOP_LAST + 1)) - 1) & ~((1u << LENS_FSOP_FIRST) - 1))

/* lens_hdr.flags */
#define LENS_F_TRUNCATED   0x1  /* a name or argv was cut at its limit */
#define LENS_F_THREAD      0x2  /* fork: the child is a thread (CLONE_THREAD) */
#define LENS_F_HAS_STACK   0x4  /* a user-stack snapshot follows the body (stack_size bytes) */
/* exec, non-root probe only: the new program is not traced (not ptrace-able by the user), because of */
#define LENS_F_UNTRACED_SETUID 0x8   /* a uid change (setuid file) */
#define LENS_F_UNTRACED_SETGID 0x10  /* a gid change (setgid file) */
#define LENS_F_UNTRACED_CAPS   0x20  /* capabilities gained (file capabilities) */
#define LENS_F_UNTRACED_NODUMP 0x40  /* the process is not dumpable (e.g. an unreadable binary) */
#define LENS_F_NO_RETURN 0x80  /* syscall: exit/exit_group, recorded at entry (ret and dur_ns are 0) */
#define LENS_F_HAS_PYSTACK 0x100 /* a struct lens_pystack follows the body, before any stack snapshot */

/*
 * Common process header, first in every kernel record (40 + 16 = 56 bytes).
 * A process is identified by (pid, start_ns): a reused pid never aliases.
 */
struct lens_hdr {
	__u64 ts_ns;       /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 start_ns;    /* thread-group leader's start_time (ns since boot): process key */
	__u32 pid;         /* tgid */
	__u32 tid;
	__u32 ppid;        /* real_parent's tgid */
	__u32 uid;
	__u16 kind;        /* enum lens_kind */
	__u16 flags;       /* LENS_F_* */
	__u16 size;        /* bytes of this record: header + body (+ stack_size) */
	__u16 stack_size;  /* LENS_F_HAS_STACK: bytes of struct lens_stack and its stack copy at the end; else 0 */
	char comm[LENS_COMM_LEN];
};

/*
 * Records that carry names (exec, open, fsop) have a variable length: the
 * fixed part, then the names back to back in the order of their *_len
 * fields. Each *_len counts its name's bytes and terminating NUL (0: no
 * name); h.size is the fixed part plus every *_len. Names are bytes as the
 * kernel has them, not necessarily UTF-8.
 */
struct lens_exec_event {
	struct lens_hdr h;
	__s32 ret;          /* 0, or -errno of a failed execve */
	__u32 argc;         /* arguments present (may exceed those read) */
	__u16 filename_len;
	__u16 cwd_len;
	__u16 argv_len;     /* NUL-separated arguments, at most LENS_ARGV_LEN */
	__u16 env_len;      /* successful exec: the new program's environment, NUL-separated NAME=value, at most LENS_ENV_LEN */
	char names[];       /* filename, cwd, argv, env */
};

struct lens_fork_event {
	struct lens_hdr h;    /* the parent */
	__u32 child_pid;      /* tgid of the child (== child_tid unless a thread) */
	__u32 child_tid;
	__u64 child_start_ns;
};

/*
 * A ptrace request that acts on another process (attach, seize, writes to
 * its memory or registers), PTRACE_TRACEME, or a process_vm_writev: at the
 * call's exit. request is the ptrace request number, or
 * LENS_PTRACE_VM_WRITEV for process_vm_writev.
 */
#define LENS_PTRACE_VM_WRITEV 0xffffffffu
struct lens_ptrace_event {
	struct lens_hdr h;
	__s64 ret;            /* >= 0, or -errno */
	__u64 addr;           /* ptrace addr argument (POKE*: where); process_vm_writev: 0 */
	__u32 request;
	__u32 target_pid;     /* the pid argument (0 for PTRACE_TRACEME: the tracer is the parent) */
};

struct lens_exit_event {
	struct lens_hdr h;
	__s32 exit_code;      /* WEXITSTATUS-style code, valid when signal == 0 */
	__u32 signal;         /* terminating signal, 0 for a normal exit */
	__u8 core_dumped;
	__u8 _pad[7];
};

struct lens_open_event {
	struct lens_hdr h;
	__s32 ret;            /* fd, or -errno */
	__s32 dirfd;          /* AT_FDCWD (-100) when relative to cwd */
	__u32 flags;          /* O_* */
	__u32 mode;
	__u32 syscall_nr;     /* which of the open family */
	__u16 path_len;       /* path as passed by the program */
	__u16 dir_len;        /* resolved dirfd/cwd when path is relative, else 0 */
	char names[];         /* path, dir */
};

/*
 * fd-based calls (fchmod, fchown, ftruncate, fchdir): dirfd is the fd, path is
 * empty and dir is the fd's own path. unlinkat(AT_REMOVEDIR) is LENS_RMDIR.
 * h.kind says which operation (LENS_UNLINK..LENS_CHDIR).
 */
struct lens_fsop_event {
	struct lens_hdr h;
	__s32 ret;
	__u32 syscall_nr;
	__s32 dirfd;          /* AT_FDCWD (-100) when relative to cwd */
	__u32 _pad0;
	__u64 arg;            /* mode (chmod/mkdir; fchmodat2 flags << 32), uid<<32|gid (chown),
	                       * length (truncate), flags (unlinkat), new dirfd<<32|flags
	                       * (rename/link: the second path's dirfd, renameat2/linkat flags) */
	__u16 path_len;       /* path; symlink: the link created */
	__u16 path2_len;      /* rename/link: the new name; symlink: the target, as given */
	__u16 dir_len;        /* directory of dirfd/cwd, when path (or path2 under the
	                       * same dirfd) is relative; else 0 */
	__u16 _pad;
	char names[];         /* path, path2, dir */
};

/*
 * User-stack snapshot (lens-probe --stacks): exec, file, net (not tcp_close)
 * and dns records then carry LENS_F_HAS_STACK and end with struct lens_stack
 * followed by its `len` bytes copied from the user stack, starting at the
 * stack pointer regs[LENS_REG_SP]: what `perf record --call-graph dwarf`
 * takes, for lens-symbolize to unwind. h.stack_size = sizeof(struct
 * lens_stack) + len, counted in h.size. An exec's snapshot is its caller's,
 * taken at sys_enter (a successful exec has replaced the stack by its exit).
 * A dns record's is taken at getaddrinfo's return: its ip is the return
 * address in the caller, not the address of an instruction being run.
 */
#define LENS_STACK_NREGS 17        /* x86_64 in DWARF order: ax dx cx bx si di bp sp r8..r15 ip */
#define LENS_REG_SP 7
#define LENS_REG_IP 16
#define LENS_STACK_DEFAULT 8192    /* --stack-bytes default */
#define LENS_STACK_MIN 64
#define LENS_STACK_MAX 16384       /* a power of two (the kernel copy is bounded by masks) */

/* lens_stack.error: why no stack bytes follow */
enum lens_stack_error {
	LENS_STACK_OK = 0,
	LENS_STACK_ERR_KTHREAD = 1,  /* a kernel thread: no user stack */
	LENS_STACK_ERR_FAULT = 2,    /* the page at the stack pointer could not be read (not resident or not mapped) */
	LENS_STACK_ERR_ARCH = 3,     /* registers of this architecture are not collected */
};

struct lens_stack {
	__u64 regs[LENS_STACK_NREGS];
	__u32 error;                 /* enum lens_stack_error */
	__u32 len;                   /* stack bytes that follow (a short copy ends where the stack's mapping ends) */
};

/*
 * A file mapping of code (--stacks only), recorded as it is made, as perf's
 * MMAP2 records: the program and its ELF interpreter when exec maps them
 * (LENS_MAP_EXEC; the first of an exec carries LENS_MAP_RESET: the mappings
 * of the process's former program are gone), then each mmap or mprotect of
 * a traced process that makes a file mapping executable (ld.so loading
 * libraries, dlopen). The agent keeps them per process for lens-symbolize,
 * so stacks of a process that exited before /proc/PID/maps could be read
 * are still unwound. Not an event of its own.
 */
#define LENS_MAP_RESET   0x1  /* the first mapping of a new program image: forget the earlier ones */
#define LENS_MAP_EXEC    0x2  /* made by exec (found walking the new image's mappings) */
#define LENS_MAP_DELETED 0x4  /* the file was already unlinked when it was mapped */
#define LENS_MAP_PROTECT 0x8  /* made executable by mprotect, not mapped so */

struct lens_mmap_event {
	struct lens_hdr h;
	__u64 start;          /* first address of the mapping */
	__u64 end;            /* one past its last byte */
	__u64 pgoff;          /* file offset mapped at start, in bytes */
	/* which file: a file replaced (new inode) or rewritten in place (new mtime) since is another */
	__u64 ino;
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 dev;            /* its filesystem's kernel dev_t (major << 20 | minor) */
	__u16 map_flags;      /* LENS_MAP_* */
	__u16 path_len;       /* absolute path, as the process's root sees it; 0 when longer than PATH_MAX */
	__u32 _pad;
	char names[];         /* path */
};

/*
 * Python frames of an attached Python process (registered with
 * LENS_CMD_PYTHON): exec, file, net and dns records of its threads then
 * carry LENS_F_HAS_PYSTACK and, right after the body (the fixed part and its
 * names) and before any struct lens_stack, a struct lens_pystack: the
 * thread's Python frame chain as the kernel read it at the syscall, each
 * frame's code object and instruction pointer, innermost first. The agent
 * reads the code objects from the process's memory.
 */
#define LENS_PY_FRAMES_MAX 64

/* lens_pystack.error */
enum lens_pystack_error {
	LENS_PY_OK = 0,
	LENS_PY_NO_THREAD = 1,  /* no thread state of the interpreter has this thread's id */
	LENS_PY_FAULT = 2,      /* a pointer of the chain could not be read (frames up to it follow) */
};

/* lens_pystack.flags */
#define LENS_PY_TRUNCATED 0x1   /* the chain goes on past LENS_PY_FRAMES_MAX frames */

struct lens_pyframe {
	__u64 code;           /* PyCodeObject * */
	__u64 instr;          /* the frame's current instruction (prev_instr, 3.13+ instr_ptr) */
};

/* Followed by its nframes struct lens_pyframe. */
struct lens_pystack {
	__u32 cookie;         /* the registration the walk used (LENS_CMD_PYTHON) */
	__u16 error;          /* enum lens_pystack_error */
	__u8 nframes;
	__u8 flags;           /* LENS_PY_* */
};

/* Socket address as the agent decodes it. family: AF_INET 2, AF_INET6 10, AF_UNIX 1. */
struct lens_addr {
	__u16 family;
	__u16 port;           /* host byte order */
	__u32 _pad;
	__u8 addr[16];        /* IPv4 in the first 4 bytes */
};

struct lens_sock_event {
	struct lens_hdr h;
	__s32 ret;            /* syscall result (fd for accept) or -errno */
	__s32 fd;             /* socket fd the call was made on */
	__u32 proto;          /* IPPROTO_TCP / IPPROTO_UDP when known, else 0 */
	__u32 extra;          /* listen: backlog; bind: the port bound (port 0 asked);
	                       * accept4: its flags */
	struct lens_addr local;
	struct lens_addr remote;
	char unix_path[108];  /* AF_UNIX path (abstract names start with '@') */
	__u32 _pad2;
};

struct lens_tcp_event {
	struct lens_hdr h;    /* the process that owned the socket */
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 duration_ns;    /* from connect/accept to close, 0 if unknown */
	struct lens_addr local;
	struct lens_addr remote;
};

struct lens_dns_event {
	struct lens_hdr h;
	__s32 ret;            /* getaddrinfo() result (0 or EAI_*) */
	__u32 answer_count;
	char name[LENS_DNS_NAME_LEN];
	struct lens_addr answers[LENS_DNS_MAX_ANSWERS];
};

/* lens_syscall_event.data_arg[i]: what data item i holds, (type << 4) | argument index. */
#define LENS_SYSDATA_STR 1       /* the NUL-terminated string the argument points to */
#define LENS_SYSDATA_ARGV 2      /* execve argv: its strings, NUL-separated */
#define LENS_SYSDATA_SOCKADDR 3  /* the sockaddr bytes; their length is the next argument */
#define LENS_SYSDATA_ARG_MASK 0xf

/*
 * One syscall. Variable length: the fixed part, then up to two data items
 * (strings or sockaddrs the arguments point to, read in the kernel) back to
 * back, data_len[0] bytes then data_len[1] bytes (each string with its NUL).
 */
struct lens_syscall_event {
	struct lens_hdr h;
	__s64 ret;
	__u64 dur_ns;
	__u64 args[6];
	__u16 nr;
	__u8 data_arg[2];     /* LENS_SYSDATA_* << 4 | argument index; 0: no item */
	__u16 data_len[2];
	char data[];
};

/*
 * Aggregated mode: key/value of the in-kernel per-process syscall map. The
 * process is pid + start_ns (as lens_hdr's): a reused pid counts apart.
 */
struct lens_sysagg_key {
	__u64 start_ns;       /* the thread-group leader's start_time, as lens_hdr.start_ns */
	__u32 pid;
	__u32 nr;
};

struct lens_sysagg_val {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns;
	__u64 hist[LENS_HIST_BUCKETS]; /* bucket i: latency in [2^i, 2^(i+1)) ns */
};

/*
 * lens-probe's stdout is a stream of packets: struct lens_packet, then len
 * bytes. Little-endian, native layout, written in batches.
 */
struct lens_packet {
	__u32 len;            /* payload bytes following this header */
	__u16 type;           /* enum lens_packet_type */
	__u16 _pad;
};

enum lens_packet_type {
	LENS_PACKET_RECORDS = 1, /* payload: one or more kernel records back to back (each lens_hdr.size long) */
	LENS_PACKET_HELLO = 2,   /* struct lens_hello */
	LENS_PACKET_STATS = 3,   /* struct lens_stats */
	LENS_PACKET_TARGET = 4,  /* struct lens_target: launched command started / exited */
	LENS_PACKET_SYSAGG = 5,  /* array of {struct lens_sysagg_key; struct lens_sysagg_val} */
	LENS_PACKET_ERROR = 6,   /* struct lens_error */
};

struct lens_hello {
	__u32 abi_version;    /* LENS_ABI_VERSION */
	__u32 kinds_mask;     /* 1 << kind for each kind that is attached */
	__s64 realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start: ts_ns + this = epoch ns */
	__u64 ringbuf_bytes;
	char machine[16];     /* uname machine: x86_64, aarch64 */
};

/*
 * Periodic STATS go ahead of the records queued for stdout; the last one
 * (final = 1, after the ring buffer was drained) goes behind them. A reader
 * that got fewer records of a kind than `committed` says, and no final
 * STATS, lost the difference when the probe died.
 */
struct lens_stats {
	__u64 events[LENS_KIND_MAX];   /* records queued for stdout, per kind */
	__u64 dropped[LENS_KIND_MAX];  /* lost: ring buffer full (kernel map) or output queue full */
	__u64 queued_bytes;            /* bytes waiting in the probe's output queue */
	__u64 committed[LENS_KIND_MAX];/* records the kernel submitted, less those the queue dropped:
	                                * all of them are (or will be) written to stdout */
	__u32 final;
	__u32 _pad;
};

/* lens_target.state */
enum lens_target_state {
	LENS_TARGET_STARTED = 1,
	LENS_TARGET_EXITED = 2,
	LENS_TARGET_ATTACHED = 3,
	LENS_TARGET_ADDED = 4,   /* pid: an `add PID` was taken (a refused one is an ERROR packet) */
};

struct lens_target {
	__u32 state;
	__u32 pid;
	__s32 exit_code;      /* EXITED: exit status, valid when signal == 0 */
	__u32 signal;         /* EXITED: terminating signal */
};

/* lens_error.code */
enum lens_error_code {
	LENS_ERR_PRIVILEGE = 1, /* missing CAP_BPF/CAP_PERFMON */
	LENS_ERR_NO_BTF = 2,
	LENS_ERR_TRACEFS = 3,
	LENS_ERR_NO_SUCH_PID = 4,
	LENS_ERR_EXEC = 5,      /* the target command could not be started */
	LENS_ERR_ATTACH = 6,
	LENS_ERR_USAGE = 7,
	LENS_ERR_INTERNAL = 8,
	LENS_ERR_DEGRADED = 9,  /* one event group could not be loaded or attached; the others run */
	LENS_ERR_FORBIDDEN = 10,/* a non-root user named a process ptrace would not let them trace */
};

struct lens_error {
	__u32 code;           /* enum lens_error_code */
	__s32 errno_val;      /* errno of the failing step, 0 if none */
	char message[248];    /* what failed and how to fix it, NUL-terminated */
};

/*
 * lens-probe's stdin: control commands, one per line ("add 1234\n"), at most
 * LENS_CMD_LINE_MAX - 1 bytes (a longer line is cut); EOF is stop. The agent
 * writes them with remote-agent/src/decode/commands.ts only.
 */
#define LENS_CMD_ADD "add"        /* add PID: trace PID and, from now on, its descendants;
                                     answered in order: TARGET ADDED or an ERROR packet */
#define LENS_CMD_REMOVE "remove"  /* remove PID: stop tracing PID (its traced children stay) */
#define LENS_CMD_STATS "stats"    /* a STATS packet now, then a SYSAGG packet */
#define LENS_CMD_STOP "stop"      /* drain the ring buffer, final STATS, exit */
/*
 * python PID COOKIE HEAD OFFSETS...: walk PID's Python frames at its events
 * (struct lens_py_proc, the words in the order of its fields after head).
 * Answered only when refused (an ERROR packet). A fork inherits it; an exec
 * or the process's exit ends it.
 */
#define LENS_CMD_PYTHON "python"
#define LENS_CMD_LINE_MAX 256

/*
 * Load-time settings and map values shared by the kernel programs and
 * lens-probe only (the agent's decoder never sees them).
 */

/* lens_config.syscall_mode */
#define LENS_SYSCALL_STREAM 0x1  /* one lens_syscall_event per call */
#define LENS_SYSCALL_AGG    0x2  /* in-kernel lens_sysagg_val per (process, nr) */

/* The `lens_cfg` rodata global of every module, set by lens-probe before load. */
struct lens_config {
	__u32 kinds_mask;     /* 1 << kind for each kind to emit */
	__u32 wakeup_bytes;   /* wake the reader once this much data waits in the ring */
	__u32 syscall_mode;   /* LENS_SYSCALL_* */
	__u32 probe_tgid;     /* lens-probe itself: never traced */
	__u32 confine;        /* 1: a non-root user runs the probe; exec stops following what they cannot ptrace */
	__u32 owner_uid;      /* confine: that user's uid and gid */
	__u32 owner_gid;
	__u32 stack_bytes;    /* 0: no stacks; else user-stack bytes copied per exec/file/net/dns record */
	__u32 python;         /* 1: processes registered with LENS_CMD_PYTHON get their Python frames */
};

/* Limits for a non-root user (README, "Privileges"). */
#define LENS_USER_RINGBUF_MAX (64u << 20) /* --ringbuf-bytes */
#define LENS_USER_SESSIONS_MAX 4          /* probes one user runs at once */

/* lens_tracked value (key: tgid). */
struct lens_tracked_val {
	__u64 start_ns;       /* group leader's start_time, 0 when added from user space */
	__u32 parent;         /* tgid that forked it, 0 for a root of the traced tree */
	__u32 _pad;
};

/*
 * lens_py_procs value (key: tgid): where a registered Python process's frame
 * chain is. Offsets are bytes into the structs of its CPython version,
 * LENS_PY_NONE where a step does not exist.
 */
#define LENS_PY_NONE 0xffff
#define LENS_PY_FRAME_SPAN 96  /* the frame fields lie in a frame's first this many bytes (read at once) */
struct lens_py_proc {
	__u64 head;           /* address of _PyRuntime.interpreters.head */
	__u32 cookie;         /* echoed in each lens_pystack */
	__u32 fork_tid;       /* a forked child: the parent's thread that forked (its thread state is the child's) */
	__u16 interp_next;    /* PyInterpreterState.next */
	__u16 interp_threads; /* PyInterpreterState.threads.head */
	__u16 thread_next;    /* PyThreadState.next */
	__u16 thread_tid;     /* PyThreadState.native_thread_id */
	__u16 thread_frame;   /* PyThreadState.cframe (3.11, 3.12) or .current_frame (3.13+) */
	__u16 cframe_frame;   /* _PyCFrame.current_frame; LENS_PY_NONE when thread_frame is the frame */
	__u16 frame_code;     /* _PyInterpreterFrame.f_code (.f_executable) */
	__u16 frame_previous;
	__u16 frame_instr;    /* .prev_instr (.instr_ptr) */
	__u16 frame_owner;    /* .owner */
	__u16 owner_cstack;   /* frames of this owner are C-stack shims, skipped (LENS_PY_NONE: none) */
	__u16 _pad;
};

/* lens_pidbits: one bit per tgid, the fast "is this process traced" test. */
#define LENS_PID_LIMIT 4194304          /* PID_MAX_LIMIT on 64-bit kernels */
#define LENS_PIDBITS_WORDS (LENS_PID_LIMIT / 64)

#endif /* LENS_EVENTS_H */
