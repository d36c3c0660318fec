/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Socket addresses for the network module: user sockaddrs as the program
 * passed them, and the kernel socket behind an fd (fd -> file -> socket ->
 * sock) read with CO-RE, for what the program did not pass (local address,
 * protocol, peer of an accepted connection).
 */
#ifndef LENS_SOCKADDR_BPF_H
#define LENS_SOCKADDR_BPF_H

#include "common.bpf.h"
#include <bpf/bpf_endian.h>

#define LENS_AF_UNIX 1
#define LENS_AF_INET 2
#define LENS_AF_INET6 10
#define LENS_SOCK_DGRAM 2
#define LENS_UNIX_PATH_LEN 108

static __always_inline void lens_addr_clear(struct lens_addr *a)
{
	__u64 *w = (__u64 *)a->addr;

	a->family = 0;
	a->port = 0;
	a->_pad = 0;
	w[0] = 0;
	w[1] = 0;
}

/*
 * Copies an AF_UNIX sun_path of len bytes into path[LENS_UNIX_PATH_LEN],
 * NUL-terminated. An abstract name (leading NUL) is written with a leading
 * '@', as strace and ss show it.
 */
static __always_inline void lens_unix_path(char *path, const void *sun_path, long len, bool user)
{
	path[0] = '\0';
	if (len <= 0)
		return;
	if (len > LENS_UNIX_PATH_LEN - 1)
		len = LENS_UNIX_PATH_LEN - 1;
	len &= 0x7f;
	if (user)
		bpf_probe_read_user(path, len, sun_path);
	else
		bpf_probe_read_kernel(path, len, sun_path);
	path[len & 0x7f] = '\0';
	if (path[0] == '\0')
		path[0] = '@';
}

/*
 * Reads a user sockaddr of addrlen bytes into out (and the AF_UNIX path
 * into unix_path[LENS_UNIX_PATH_LEN]). Returns false when it is unreadable.
 */
static __always_inline bool lens_read_user_sockaddr(__u64 uaddr, __u32 addrlen,
						    struct lens_addr *out, char *unix_path)
{
	const void *p = (const void *)uaddr;
	__u16 family = 0;

	lens_addr_clear(out);
	unix_path[0] = '\0';
	if (!p || addrlen < sizeof(family) || bpf_probe_read_user(&family, sizeof(family), p))
		return false;
	out->family = family;
	if (family == LENS_AF_INET) {
		struct sockaddr_in sin = {};

		bpf_probe_read_user(&sin, sizeof(sin), p);
		out->port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(out->addr, &sin.sin_addr, 4);
	} else if (family == LENS_AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		bpf_probe_read_user(&sin6, sizeof(sin6), p);
		out->port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(out->addr, &sin6.sin6_addr, 16);
	} else if (family == LENS_AF_UNIX) {
		lens_unix_path(unix_path, p + offsetof(struct sockaddr_un, sun_path),
			       (long)addrlen - offsetof(struct sockaddr_un, sun_path), true);
	}
	return true;
}

/* The struct sock behind the current task's fd, or NULL when fd is not a socket. */
static __always_inline struct sock *lens_fd_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	struct socket *sock;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return NULL;
	/* A socket's file and its struct socket point at each other. */
	sock = BPF_CORE_READ(f, private_data);
	if (!sock || BPF_CORE_READ(sock, file) != f)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

/* The socket's own (local, remote=false) or peer (remote=true) inet address. */
static __always_inline void lens_sock_addr(struct sock *sk, bool remote, struct lens_addr *out)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	lens_addr_clear(out);
	if (family != LENS_AF_INET && family != LENS_AF_INET6)
		return;
	out->family = family;
	if (remote)
		out->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	else
		out->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (family == LENS_AF_INET) {
		__u32 a = remote ? BPF_CORE_READ(sk, __sk_common.skc_daddr)
				 : BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(out->addr, &a, 4);
	} else if (remote) {
		bpf_core_read(out->addr, sizeof(out->addr), &sk->__sk_common.skc_v6_daddr);
	} else {
		bpf_core_read(out->addr, sizeof(out->addr), &sk->__sk_common.skc_v6_rcv_saddr);
	}
}

/* The bound path of an AF_UNIX socket into path[LENS_UNIX_PATH_LEN] ("" when unnamed). */
static __always_inline void lens_sock_unix_path(struct sock *sk, char *path)
{
	struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;

	path[0] = '\0';
	if (!ua)
		return;
	len = BPF_CORE_READ(ua, len);
	lens_unix_path(path, (const void *)ua->name + offsetof(struct sockaddr_un, sun_path),
		       (long)len - offsetof(struct sockaddr_un, sun_path), false);
}

#endif /* LENS_SOCKADDR_BPF_H */
