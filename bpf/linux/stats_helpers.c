// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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
		lens_out_frame(LENS_FRAME_STATS, &s, sizeof(s));
	else
		lens_out_frame_first(LENS_FRAME_STATS, &s, sizeof(s));
}
