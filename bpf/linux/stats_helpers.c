// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "events.h"
#include "output_helpers.h"
#include "stats_helpers.h"

/* The per-CPU counter of kind k in map fd, summed; 0 when it cannot be read. */
static __u64 percpu_sum(int fd, __u32 k, __u64 *vals, int ncpus)
{
	__u64 sum = 0;
	int c;

	if (fd < 0 || bpf_map_lookup_elem(fd, &k, vals))
		return 0;
	for (c = 0; c < ncpus; c++)
		sum += vals[c];
	return sum;
}

void lens_stats_emit(int drops_fd, int submitted_fd, int ncpus, bool final)
{
	struct lens_stats s = { .final = final };
	__u64 lost[LENS_KIND_MAX], vals[ncpus];
	__u32 k;

	/* Submissions first: a record submitted later and dropped by the queue is never counted twice. */
	for (k = 0; k < LENS_KIND_MAX; k++)
		s.committed[k] = percpu_sum(submitted_fd, k, vals, ncpus);
	lens_out_counts(s.events, lost, &s.queued_bytes);
	for (k = 0; k < LENS_KIND_MAX; k++) {
		s.committed[k] = s.committed[k] > lost[k] ? s.committed[k] - lost[k] : 0;
		s.dropped[k] = lost[k] + percpu_sum(drops_fd, k, vals, ncpus);
	}
	if (final)
		lens_out_packet(LENS_PACKET_STATS, &s, sizeof(s));
	else
		lens_out_packet_first(LENS_PACKET_STATS, &s, sizeof(s));
}

struct sysagg_entry {
	struct lens_sysagg_key key;
	struct lens_sysagg_val val;
};

void lens_sysagg_emit(int sysagg_fd, int ncpus)
{
	struct lens_sysagg_key key, next, *prev = NULL;
	struct lens_sysagg_val *vals;
	struct sysagg_entry *entries = NULL, *e;
	size_t n = 0, cap = 0;
	int c, b;

	if (sysagg_fd < 0)
		return;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return;
	while (bpf_map_get_next_key(sysagg_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(sysagg_fd, &key, vals))
			continue;
		if (n == cap) {
			struct sysagg_entry *ne;

			cap = cap ? cap * 2 : 256;
			ne = realloc(entries, cap * sizeof(*entries));
			if (!ne)
				break;
			entries = ne;
		}
		e = &entries[n++];
		memset(e, 0, sizeof(*e));
		e->key = key;
		for (c = 0; c < ncpus; c++) {
			e->val.count += vals[c].count;
			e->val.errors += vals[c].errors;
			e->val.total_ns += vals[c].total_ns;
			if (vals[c].max_ns > e->val.max_ns)
				e->val.max_ns = vals[c].max_ns;
			for (b = 0; b < LENS_HIST_BUCKETS; b++)
				e->val.hist[b] += vals[c].hist[b];
		}
	}
	lens_out_packet(LENS_PACKET_SYSAGG, entries, n * sizeof(*entries));
	free(entries);
	free(vals);
}
