/*
 * The workload of scripts/bench/stack-cost.ts: N openat calls of a missing
 * path, made DEPTH frames of 512 bytes below main (0: three calls deep), so
 * the stack above the call is shallow or longer than any --stack-bytes.
 *   open-loop N [DEPTH]
 *   cc -O2 -g -o open-loop open-loop.c
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) static int open_one(const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY);

	if (fd >= 0)
		close(fd);
	__asm__ volatile("" ::: "memory");
	return fd;
}

__attribute__((noinline)) static int open_many(long n)
{
	int bad = 0;

	for (long i = 0; i < n; i++)
		bad += open_one("/nonexistent/lens-bench") < 0;
	__asm__ volatile("" ::: "memory");
	return bad;
}

__attribute__((noinline)) static int descend(int depth, long n)
{
	volatile char frame[512];
	int r;

	frame[0] = (char)depth;
	r = depth > 0 ? descend(depth - 1, n) : open_many(n);
	__asm__ volatile("" ::: "memory");
	return r + frame[0] - (char)depth;
}

int main(int argc, char **argv)
{
	return descend(argc > 2 ? atoi(argv[2]) : 0, argc > 1 ? atol(argv[1]) : 100000) > 0 ? 0 : 1;
}
