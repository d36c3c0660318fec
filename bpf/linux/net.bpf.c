// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Network events of tracked processes:
 * - connect, accept/accept4, bind, listen (lens_sock_event) with the address
 *   the program passed, and from the kernel socket what it did not pass (the
 *   local address, the protocol, the peer of an accepted connection);
 * - datagram destinations (LENS_UDP_SEND): sendto/sendmsg/sendmmsg with an
 *   address, reported once per (process, destination);
 * - TCP lifecycle (LENS_TCP_CLOSE): bytes sent and received and duration when
 *   a connection of a tracked process reaches TCP_CLOSE, attributed to the
 *   process that connected or accepted it, whatever context closes it.
 *
 * Like the file module, each syscall has one sys_exit program that takes the
 * arguments from the saved user registers and emits the record with the
 * result.
 */
#include "common.bpf.h"
#include "sockaddr.bpf.h"
#include "stack.bpf.h"

#define EINPROGRESS_VAL 115
#define TCP_SYN_SENT_VAL 2
#define TCP_CLOSE_VAL 7
#define IPPROTO_TCP_VAL 6

enum net_call {
	NC_CONNECT = 1,
	NC_ACCEPT,
	NC_ACCEPT4,
	NC_BIND,
	NC_LISTEN,
	NC_SENDTO,
	NC_SENDMSG,
	NC_SENDMMSG,
};

struct net_args {
	__u64 args[6];
	__u64 uaddr;          /* destination sockaddr of sendto/sendmsg/sendmmsg */
	__u32 addrlen;
	__u32 call;           /* enum net_call */
};

/* Who owns a TCP connection: header of the connecting/accepting process. */
struct tcp_owner {
	struct lens_hdr h;
	__u64 start_ns;
};

/* struct sock * -> owner, from SYN_SENT or accept until TCP_CLOSE. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tcp_owner);
} lens_tcp_owner SEC(".maps");

struct udp_dest {
	__u64 start_ns;       /* process key with pid: a reused pid is a new process */
	__u32 pid;
	__u16 family;
	__u16 port;
	__u8 addr[16];
};

/* Datagram destinations already reported, per process. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct udp_dest);
	__type(value, __u8);
} lens_udp_seen SEC(".maps");

static __always_inline __u32 call_kind(__u32 call)
{
	switch (call) {
	case NC_CONNECT:
		return LENS_CONNECT;
	case NC_ACCEPT:
	case NC_ACCEPT4:
		return LENS_ACCEPT;
	case NC_BIND:
		return LENS_BIND;
	case NC_LISTEN:
		return LENS_LISTEN;
	default:
		return LENS_UDP_SEND;
	}
}

/* Remembers the current process as the owner of a TCP socket. */
static __always_inline void tcp_remember(struct sock *sk)
{
	struct tcp_owner o;
	__u64 key = (__u64)sk;

	lens_fill_hdr(&o.h, LENS_TCP_CLOSE, sizeof(struct lens_tcp_event));
	o.start_ns = o.h.ts_ns;
	if (bpf_map_update_elem(&lens_tcp_owner, &key, &o, BPF_ANY))
		lens_count_drop(LENS_TCP_CLOSE);
}

static __always_inline struct lens_sock_event *sock_event(__u32 kind, const struct net_args *a,
							  long ret)
{
	struct lens_sock_event *e = lens_fixed_begin(kind, sizeof(*e));

	if (!e)
		return NULL;
	lens_fill_hdr(&e->h, kind, sizeof(*e));
	e->ret = ret;
	e->fd = a->args[0];
	e->proto = 0;
	e->extra = 0;
	lens_addr_clear(&e->local);
	lens_addr_clear(&e->remote);
	e->unix_path[0] = '\0';
	e->_pad2 = 0;
	return e;
}

static __always_inline void emit_connect(const struct net_args *a, long ret)
{
	struct lens_sock_event *e = sock_event(LENS_CONNECT, a, ret);
	struct sock *sk;

	if (!e)
		return;
	lens_read_user_sockaddr(a->args[1], a->args[2], &e->remote, e->unix_path);
	sk = lens_fd_sock(a->args[0]);
	if (sk) {
		e->proto = BPF_CORE_READ(sk, sk_protocol);
		lens_sock_addr(sk, false, &e->local);
		/* A connected datagram socket: its destination counts as reported. */
		if (ret == 0 && BPF_CORE_READ(sk, sk_type) == LENS_SOCK_DGRAM &&
		    (e->remote.family == LENS_AF_INET || e->remote.family == LENS_AF_INET6)) {
			struct udp_dest d = {
				.start_ns = e->h.start_ns,
				.pid = e->h.pid,
				.family = e->remote.family,
				.port = e->remote.port,
			};
			__u8 one = 1;

			__builtin_memcpy(d.addr, e->remote.addr, 16);
			bpf_map_update_elem(&lens_udp_seen, &d, &one, BPF_ANY);
		}
	}
	lens_fixed_send(e, LENS_CONNECT, sizeof(*e));
}

static __always_inline void emit_accept(const struct net_args *a, long ret)
{
	struct lens_sock_event *e = sock_event(LENS_ACCEPT, a, ret);
	struct sock *sk = NULL;

	if (!e)
		return;
	if (a->call == NC_ACCEPT4)
		e->extra = a->args[3];
	if (ret >= 0)
		sk = lens_fd_sock(ret);
	if (sk) {
		e->proto = BPF_CORE_READ(sk, sk_protocol);
		lens_sock_addr(sk, false, &e->local);
		lens_sock_addr(sk, true, &e->remote);
		if (BPF_CORE_READ(sk, __sk_common.skc_family) == LENS_AF_UNIX) {
			/* The listener's path, copied to the accepted socket: a local address. */
			e->local.family = LENS_AF_UNIX;
			lens_sock_unix_path(sk, e->unix_path);
		}
		else if (e->proto == IPPROTO_TCP_VAL && lens_want(LENS_TCP_CLOSE))
			tcp_remember(sk);
	}
	lens_fixed_send(e, LENS_ACCEPT, sizeof(*e));
}

static __always_inline void emit_bind(const struct net_args *a, long ret)
{
	struct lens_sock_event *e = sock_event(LENS_BIND, a, ret);
	struct sock *sk;

	if (!e)
		return;
	lens_read_user_sockaddr(a->args[1], a->args[2], &e->local, e->unix_path);
	sk = lens_fd_sock(a->args[0]);
	if (sk) {
		e->proto = BPF_CORE_READ(sk, sk_protocol);
		/* extra: the port actually bound (differs when port 0 was asked). */
		if (ret == 0)
			e->extra = BPF_CORE_READ(sk, __sk_common.skc_num);
	}
	lens_fixed_send(e, LENS_BIND, sizeof(*e));
}

static __always_inline void emit_listen(const struct net_args *a, long ret)
{
	struct lens_sock_event *e = sock_event(LENS_LISTEN, a, ret);
	struct sock *sk;

	if (!e)
		return;
	e->extra = a->args[1];
	sk = lens_fd_sock(a->args[0]);
	if (sk) {
		e->proto = BPF_CORE_READ(sk, sk_protocol);
		e->local.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (e->local.family == LENS_AF_UNIX)
			lens_sock_unix_path(sk, e->unix_path);
		else
			lens_sock_addr(sk, false, &e->local);
	}
	lens_fixed_send(e, LENS_LISTEN, sizeof(*e));
}

static __always_inline void emit_udp_send(const struct net_args *a, long ret)
{
	struct lens_sock_event *e;
	struct lens_addr dst;
	char unused[LENS_UNIX_PATH_LEN];
	struct udp_dest d = {};
	struct sock *sk;
	__u8 one = 1;

	if (!lens_read_user_sockaddr(a->uaddr, a->addrlen, &dst, unused))
		return;
	if (dst.family != LENS_AF_INET && dst.family != LENS_AF_INET6)
		return;
	sk = lens_fd_sock(a->args[0]);
	if (!sk || BPF_CORE_READ(sk, sk_type) != LENS_SOCK_DGRAM)
		return;

	d.start_ns = lens_current_task()->group_leader->start_time;
	d.pid = bpf_get_current_pid_tgid() >> 32;
	d.family = dst.family;
	d.port = dst.port;
	__builtin_memcpy(d.addr, dst.addr, 16);
	if (bpf_map_lookup_elem(&lens_udp_seen, &d))
		return;
	if (bpf_map_update_elem(&lens_udp_seen, &d, &one, BPF_ANY))
		lens_count_drop(LENS_UDP_SEND);

	e = sock_event(LENS_UDP_SEND, a, ret);
	if (!e)
		return;
	e->proto = BPF_CORE_READ(sk, sk_protocol);
	e->remote = dst;
	lens_sock_addr(sk, false, &e->local);
	lens_fixed_send(e, LENS_UDP_SEND, sizeof(*e));
}

/*
 * sendto: only a datagram with an explicit destination is of interest;
 * sendmsg/sendmmsg: the (first) message's msg_name, when it has one.
 * Returns false when the call has no destination.
 */
static __always_inline bool datagram_dest(struct net_args *a)
{
	struct user_msghdr msg = {};

	if (a->call == NC_SENDTO) {
		a->uaddr = a->args[4];
		a->addrlen = a->args[5];
		return a->uaddr != 0;
	}
	if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)a->args[1]) || !msg.msg_name)
		return false;
	a->uaddr = (__u64)msg.msg_name;
	a->addrlen = msg.msg_namelen;
	return true;
}

static __always_inline int net_exit(struct trace_event_raw_sys_exit *ctx, __u32 call)
{
	struct net_args a = { .call = call };

	if (!lens_want(call_kind(call)) || !lens_is_tracked())
		return 0;
	lens_exit_args(a.args);
	switch (call) {
	case NC_CONNECT:
		emit_connect(&a, ctx->ret);
		break;
	case NC_ACCEPT:
	case NC_ACCEPT4:
		emit_accept(&a, ctx->ret);
		break;
	case NC_BIND:
		emit_bind(&a, ctx->ret);
		break;
	case NC_LISTEN:
		emit_listen(&a, ctx->ret);
		break;
	default:
		if (datagram_dest(&a))
			emit_udp_send(&a, ctx->ret);
		break;
	}
	return 0;
}

/* One sys_exit program per syscall (lens_x<name>). */
#define NET_SYSCALL(name, call)							\
SEC("tracepoint/syscalls/sys_exit_" #name)					\
int lens_x##name(struct trace_event_raw_sys_exit *ctx)				\
{										\
	return net_exit(ctx, call);						\
}

NET_SYSCALL(connect, NC_CONNECT)
NET_SYSCALL(accept, NC_ACCEPT)
NET_SYSCALL(accept4, NC_ACCEPT4)
NET_SYSCALL(bind, NC_BIND)
NET_SYSCALL(listen, NC_LISTEN)
NET_SYSCALL(sendto, NC_SENDTO)
NET_SYSCALL(sendmsg, NC_SENDMSG)
NET_SYSCALL(sendmmsg, NC_SENDMMSG)

/*
 * Copies the addresses of a state change. Each ctx field is loaded at its own
 * constant offset (the verifier rejects ctx access through a computed pointer).
 */
static __always_inline void tcp_state_addrs(struct trace_event_raw_inet_sock_set_state *ctx,
					    struct lens_tcp_event *e)
{
	__u64 *l = (__u64 *)e->local.addr, *r = (__u64 *)e->remote.addr;
	__u32 s4, d4;
	__u64 s6[2], d6[2];

	if (ctx->family == LENS_AF_INET) {
		s4 = *(__u32 *)ctx->saddr;
		d4 = *(__u32 *)ctx->daddr;
		barrier_var(s4);
		barrier_var(d4);
		*(__u32 *)e->local.addr = s4;
		*(__u32 *)e->remote.addr = d4;
		return;
	}
	s6[0] = *(__u64 *)&ctx->saddr_v6[0];
	s6[1] = *(__u64 *)&ctx->saddr_v6[8];
	d6[0] = *(__u64 *)&ctx->daddr_v6[0];
	d6[1] = *(__u64 *)&ctx->daddr_v6[8];
	barrier_var(s6[0]);
	barrier_var(s6[1]);
	barrier_var(d6[0]);
	barrier_var(d6[1]);
	l[0] = s6[0];
	l[1] = s6[1];
	r[0] = d6[0];
	r[1] = d6[1];
}

/*
 * TCP state changes of every socket on the host: a tracked process that
 * starts connecting becomes the socket's owner (this runs in its connect());
 * an owned socket reaching TCP_CLOSE (often in softirq) emits its totals.
 */
SEC("tracepoint/sock/inet_sock_set_state")
int lens_tcp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct lens_tcp_event *e;
	struct tcp_owner *o;
	struct tcp_sock *tp;
	__u64 key, now;

	if (!lens_want(LENS_TCP_CLOSE) || ctx->protocol != IPPROTO_TCP_VAL)
		return 0;
	key = (__u64)ctx->skaddr;
	if (ctx->newstate == TCP_SYN_SENT_VAL) {
		if (lens_is_tracked())
			tcp_remember((struct sock *)ctx->skaddr);
		return 0;
	}
	if (ctx->newstate != TCP_CLOSE_VAL)
		return 0;
	o = bpf_map_lookup_elem(&lens_tcp_owner, &key);
	if (!o)
		return 0;

	e = lens_reserve(LENS_TCP_CLOSE, sizeof(*e));
	if (!e) {
		bpf_map_delete_elem(&lens_tcp_owner, &key);
		return 0;
	}
	now = bpf_ktime_get_ns();
	e->h = o->h;
	e->h.ts_ns = now;
	e->duration_ns = now - o->start_ns;
	tp = (struct tcp_sock *)ctx->skaddr;
	e->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	e->bytes_received = BPF_CORE_READ(tp, bytes_received);
	/* bytes_received counts the peer's FIN (one sequence number), not data. */
	if (e->bytes_received &&
	    (BPF_CORE_READ(&tp->inet_conn.icsk_inet.sk, __sk_common.skc_flags) & (1UL << SOCK_DONE)))
		e->bytes_received--;
	lens_addr_clear(&e->local);
	lens_addr_clear(&e->remote);
	e->local.family = ctx->family;
	e->remote.family = ctx->family;
	e->local.port = ctx->sport;
	e->remote.port = ctx->dport;
	tcp_state_addrs(ctx, e);
	bpf_map_delete_elem(&lens_tcp_owner, &key);
	lens_submit(e);
	return 0;
}
