/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Network events of traced processes: outbound connect and inbound accept
 * (cgroup sock_addr hooks, IPv4 and IPv6) and bind (the bind hook), as
 * struct lens_sock_event with the addresses in the decoder's form (host-order
 * ports, Linux family numbers). The programs only observe: each permits.
 */
#include "lens_maps.h"

#define LENS_WIN_IPPROTO_TCP 6

LENS_INLINE __u16 lens_ntohs(__u16 v) { return (v >> 8) | (v << 8); }

LENS_INLINE void lens_addr_from(struct lens_addr *a, __u32 family, const __u32 *ip6, __u32 ip4, __u16 port_be)
{
	a->port = lens_ntohs(port_be);
	if (family == LENS_WIN_AF_INET) {
		a->family = LENS_WIN_AF_INET;
		__builtin_memcpy(a->addr, &ip4, 4);
	} else {
		a->family = LENS_AF_INET6;
		__builtin_memcpy(a->addr, ip6, 16);
	}
}

LENS_INLINE int lens_sock_addr(struct lens_win_sock_addr *ctx, __u16 kind)
{
	__u64 pid_tgid = bpf_sock_addr_get_current_pid_tgid(ctx);
	__u32 pid = pid_tgid >> 32;
	struct lens_tracked_val *t = lens_traced(pid);
	if (!t)
		return LENS_WIN_SOCK_ADDR_PROCEED_SOFT;
	struct lens_sock_event e = {};
	lens_fill_hdr(&e.h, kind, sizeof(e), pid, (__u32)pid_tgid, t->parent, t->start_ns);
	e.proto = ctx->protocol;
	e.fd = -1;  /* Windows sockets are handles, not fds */
	/* egress: msg_src is local, user is remote; ingress (accept): the other way */
	struct lens_addr *src = kind == LENS_CONNECT ? &e.local : &e.remote;
	struct lens_addr *dst = kind == LENS_CONNECT ? &e.remote : &e.local;
	lens_addr_from(src, ctx->family, ctx->msg_src_ip6, ctx->msg_src_ip4, ctx->msg_src_port);
	lens_addr_from(dst, ctx->family, ctx->user_ip6, ctx->user_ip4, ctx->user_port);
	lens_emit(&e, sizeof(e), kind);
	return LENS_WIN_SOCK_ADDR_PROCEED_SOFT;
}

SEC("cgroup/connect4")
int lens_connect4(struct lens_win_sock_addr *ctx) { return lens_sock_addr(ctx, LENS_CONNECT); }

SEC("cgroup/connect6")
int lens_connect6(struct lens_win_sock_addr *ctx) { return lens_sock_addr(ctx, LENS_CONNECT); }

SEC("cgroup/recv_accept4")
int lens_accept4(struct lens_win_sock_addr *ctx) { return lens_sock_addr(ctx, LENS_ACCEPT); }

SEC("cgroup/recv_accept6")
int lens_accept6(struct lens_win_sock_addr *ctx) { return lens_sock_addr(ctx, LENS_ACCEPT); }

SEC("bind")
int lens_bind(struct lens_win_bind_md *ctx)
{
	__u32 pid = ctx->process_id;
	if (ctx->operation != LENS_WIN_BIND)
		return LENS_WIN_BIND_PERMIT;
	struct lens_tracked_val *t = lens_traced(pid);
	if (!t)
		return LENS_WIN_BIND_PERMIT;
	struct lens_sock_event e = {};
	lens_fill_hdr(&e.h, LENS_BIND, sizeof(e), pid, pid, t->parent, t->start_ns);
	e.proto = ctx->protocol;
	e.fd = -1;
	/* SOCKADDR_IN / SOCKADDR_IN6 (first 16 bytes): family, port (network order), address */
	__u16 family = ctx->socket_address[0] | (ctx->socket_address[1] << 8);
	__u16 port_be = ctx->socket_address[2] | (ctx->socket_address[3] << 8);
	e.local.port = lens_ntohs(port_be);
	if (family == LENS_WIN_AF_INET) {
		e.local.family = LENS_WIN_AF_INET;
		__builtin_memcpy(e.local.addr, &ctx->socket_address[4], 4);
	} else {
		e.local.family = LENS_AF_INET6;  /* the 16-byte field holds no IPv6 address: only the port is kept */
	}
	e.extra = e.local.port;
	lens_emit(&e, sizeof(e), LENS_BIND);
	return LENS_WIN_BIND_PERMIT;
}
