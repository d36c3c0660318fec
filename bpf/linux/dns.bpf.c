// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Name lookups (LENS_DNS) of tracked processes: a uprobe and a uretprobe on
 * libc's getaddrinfo(). Entry saves the node and `res` pointers per thread;
 * return reads the name and the addrinfo list the call produced and emits
 * the name, the distinct IPv4/IPv6 answers and the return value (0 or EAI_*).
 * Runtimes that resolve on a worker thread (Node's libuv pool) are caught
 * too: the thread differs, the process does not.
 *
 * libbpf resolves "libc.so.6" through LD_LIBRARY_PATH, /usr/lib64:/usr/lib
 * and the multiarch directory (/lib/x86_64-linux-gnu on Debian).
 */
#include "common.bpf.h"
#include "sockaddr.bpf.h"
#include "stack.bpf.h"

/* addrinfo entries walked: getaddrinfo without hints repeats each address per socket type. */
#define DNS_SCAN_MAX 24

/* glibc's struct addrinfo (LP64). */
struct gai_addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	__u32 ai_addrlen;
	__u64 ai_addr;
	__u64 ai_canonname;
	__u64 ai_next;
};

struct dns_args {
	__u64 node;           /* const char *: read at return, when getaddrinfo has touched it */
	__u64 res;            /* struct addrinfo ** */
};

/* Lookup in flight, per thread (pid_tgid), from entry to return. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct dns_args);
} lens_dns_args SEC(".maps");

SEC("uprobe/libc.so.6:getaddrinfo")
int BPF_KPROBE(lens_gai_enter, const char *node, const char *service, const void *hints,
	       void **res)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct dns_args a = {};

	if (!lens_want(LENS_DNS) || !lens_is_tracked())
		return 0;
	if (!node)
		return 0;   /* a passive or service-only lookup resolves no name */
	/*
	 * The name is read at return: a string literal in a binary's .rodata may
	 * not be paged in yet at entry, and a uprobe cannot fault it in.
	 */
	a.node = (__u64)node;
	a.res = (__u64)res;
	if (bpf_map_update_elem(&lens_dns_args, &id, &a, BPF_ANY))
		lens_count_drop(LENS_DNS);
	return 0;
}

/*
 * The answers collected while walking the addrinfo list. Per-CPU map value,
 * not stack: the verifier then sees every bpf_loop iteration as the same
 * state and checks the callback once.
 */
struct dns_walk {
	__u64 next;           /* struct addrinfo * still to read, 0 at the end */
	__u32 count;
	__u32 _pad;
	struct lens_addr answers[LENS_DNS_MAX_ANSWERS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_walk);
} lens_dns_walk SEC(".maps");

static __always_inline struct dns_walk *dns_walk_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lens_dns_walk, &zero);
}

/* Appends the address of one addrinfo entry unless it is already listed. */
static __always_inline void add_answer(struct dns_walk *w, const struct gai_addrinfo *ai)
{
	struct lens_addr a;
	char unused[LENS_UNIX_PATH_LEN];
	__u64 *aw = (__u64 *)a.addr;
	__u32 n = w->count, i;

	if (ai->ai_family != LENS_AF_INET && ai->ai_family != LENS_AF_INET6)
		return;
	if (n >= LENS_DNS_MAX_ANSWERS)
		return;
	if (!lens_read_user_sockaddr(ai->ai_addr, ai->ai_addrlen, &a, unused))
		return;
	for (i = 0; i < LENS_DNS_MAX_ANSWERS; i++) {
		__u64 *o;

		if (i >= n)
			break;
		o = (__u64 *)w->answers[i].addr;
		if (w->answers[i].family == a.family && o[0] == aw[0] && o[1] == aw[1])
			return;
	}
	w->answers[n & (LENS_DNS_MAX_ANSWERS - 1)] = a;
	w->count = n + 1;
}

/*
 * One addrinfo entry per bpf_loop iteration: the verifier checks this once,
 * where an unrolled loop made the uretprobe 25,000 instructions to verify.
 */
static long dns_walk_one(__u32 i, void *unused)
{
	struct dns_walk *w = dns_walk_state();
	struct gai_addrinfo ai;

	if (!w || !w->next || bpf_probe_read_user(&ai, sizeof(ai), (const void *)w->next))
		return 1;
	add_answer(w, &ai);
	w->next = ai.ai_next;
	return 0;
}

SEC("uretprobe/libc.so.6:getaddrinfo")
int BPF_KRETPROBE(lens_gai_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct dns_walk *w = dns_walk_state();
	struct lens_dns_event *e;
	struct dns_args *a;
	long n;

	if (!lens_tgid_tracked(id >> 32))
		return 0;
	a = bpf_map_lookup_elem(&lens_dns_args, &id);
	if (!a)
		return 0;   /* only threads tracked at entry have one */
	if (!w)
		goto out;
	w->next = 0;
	w->count = 0;
	__builtin_memset(w->answers, 0, sizeof(w->answers));
	if (ret == 0 && a->res)
		bpf_probe_read_user(&w->next, sizeof(w->next), (const void *)a->res);
	bpf_loop(DNS_SCAN_MAX, dns_walk_one, NULL, 0);

	e = lens_fixed_begin(LENS_DNS, sizeof(*e));
	if (!e)
		goto out;
	lens_fill_hdr(&e->h, LENS_DNS, sizeof(*e));
	e->ret = ret;
	e->answer_count = w->count;
	n = bpf_probe_read_user_str(e->name, sizeof(e->name), (const void *)a->node);
	if (n < 0)
		e->name[0] = '\0';
	else if (n == sizeof(e->name))
		e->h.flags |= LENS_F_TRUNCATED;
	__builtin_memcpy(e->answers, w->answers, sizeof(e->answers));
	lens_fixed_send(e, LENS_DNS, sizeof(*e));
out:
	bpf_map_delete_elem(&lens_dns_args, &id);
	return 0;
}
