/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the Windows programs of this folder use from eBPF for Windows and
 * ntosebpfext, declared for this project from their documented interfaces
 * (ebpf_structs.h: helper ids and map types; ebpf_nethooks.h: bind_md and
 * bpf_sock_addr; ntosebpfext's ebpf_ntos_hooks.h: process_md). Only helpers
 * eBPF for Windows has are declared here: map operations, ring buffer output,
 * time, the current pid/tgid; there is no probe_read and no stack helper.
 * test/unit/agent/windows-objects.test.ts checks every helper call of the
 * built objects against LENS_WIN_HELPERS below.
 */
#ifndef LENS_WIN_H
#define LENS_WIN_H

#include "../linux/events.h"

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define LENS_INLINE static inline __attribute__((always_inline))

/* ebpf_map_type_t (the numbers differ from Linux: a ring buffer is 13 here, 27 there) */
#define LENS_WIN_MAP_HASH 1
#define LENS_WIN_MAP_ARRAY 2
#define LENS_WIN_MAP_PERCPU_ARRAY 5
#define LENS_WIN_MAP_LRU_HASH 8
#define LENS_WIN_MAP_RINGBUF 13
#define LENS_WIN_PIN_BY_NAME 1  /* LIBBPF_PIN_BY_NAME: pinned under its map name */
#define LENS_WIN_ANY 0

/* ebpf_helper_id_t: the general helpers, and those of the program types used here */
#define LENS_WIN_FUNC_map_lookup_elem 1
#define LENS_WIN_FUNC_map_update_elem 2
#define LENS_WIN_FUNC_map_delete_elem 3
#define LENS_WIN_FUNC_ktime_get_ns 9
#define LENS_WIN_FUNC_ringbuf_output 11
#define LENS_WIN_FUNC_get_current_pid_tgid 19
#define LENS_WIN_EXT_HELPER_BASE 0xFFFF
#define LENS_WIN_FUNC_sock_addr_get_current_pid_tgid (LENS_WIN_EXT_HELPER_BASE + 1) /* cgroup sock_addr programs */
#define LENS_WIN_FUNC_process_get_image_path (LENS_WIN_EXT_HELPER_BASE + 1)        /* process programs (ntosebpfext) */

/* process_md (ntosebpfext, program type "process") */
enum lens_win_process_op { LENS_WIN_PROCESS_CREATE = 0, LENS_WIN_PROCESS_DELETE = 1 };
struct lens_win_process_md {
	__u8 *command_start;       /* command line, UTF-16LE, not NUL-terminated */
	__u8 *command_end;
	__u64 process_id;
	__u64 parent_process_id;
	__u64 creating_process_id;
	__u64 creating_thread_id;
	__u64 creation_time;       /* FILETIME: 100 ns units since 1601-01-01 */
	__u64 exit_time;           /* delete only */
	__u32 process_exit_code;   /* delete only */
	__u32 operation : 8;       /* enum lens_win_process_op */
};

/* bind_md (netebpfext, program type "bind") */
enum lens_win_bind_op { LENS_WIN_BIND = 0, LENS_WIN_POST_BIND = 1, LENS_WIN_UNBIND = 2 };
struct lens_win_bind_md {
	__u8 *app_id_start;
	__u8 *app_id_end;
	__u64 process_id;
	__u8 socket_address[16];   /* a SOCKADDR: family (u16), port (network order), address */
	__u8 socket_address_length;
	__u32 operation;           /* enum lens_win_bind_op */
	__u8 protocol;
};
#define LENS_WIN_BIND_PERMIT 0

/* bpf_sock_addr (netebpfext, program type cgroup sock_addr) */
struct lens_win_sock_addr {
	__u32 family;
	union { __u32 msg_src_ip4; __u32 msg_src_ip6[4]; };  /* local for egress, remote for ingress */
	__u16 msg_src_port;                                   /* network order */
	union { __u32 user_ip4; __u32 user_ip6[4]; };        /* remote for egress, local for ingress */
	__u16 user_port;
	__u32 protocol;
	__u32 compartment_id;
	__u64 interface_luid;
};
#define LENS_WIN_SOCK_ADDR_PROCEED_SOFT 1

#define LENS_WIN_AF_INET 2
#define LENS_WIN_AF_INET6 23   /* Windows' AF_INET6; records carry Linux's 10, as the decoder expects */
#define LENS_AF_INET6 10

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)LENS_WIN_FUNC_map_lookup_elem;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)LENS_WIN_FUNC_map_update_elem;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)LENS_WIN_FUNC_map_delete_elem;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)LENS_WIN_FUNC_ktime_get_ns;
static long (*bpf_ringbuf_output)(void *ring, void *data, __u64 size, __u64 flags) = (void *)LENS_WIN_FUNC_ringbuf_output;
static __u64 (*bpf_sock_addr_get_current_pid_tgid)(struct lens_win_sock_addr *ctx) = (void *)LENS_WIN_FUNC_sock_addr_get_current_pid_tgid;
static int (*bpf_process_get_image_path)(struct lens_win_process_md *ctx, __u8 *path, __u32 len) = (void *)LENS_WIN_FUNC_process_get_image_path;

/* FILETIME of 1970-01-01: creation_time minus this, times 100, is ns since the Unix epoch */
#define LENS_WIN_FILETIME_UNIX_EPOCH 116444736000000000ull

#endif /* LENS_WIN_H */
