/*
 * `lens-remote mux -- PROGRAM [ARGS...]`: runs PROGRAM (lens-probe) with fds
 * 0..5 as pipes and carries them over this process's stdin/stdout, the one
 * stream an ssh session has. Every frame is: u8 channel, u32 length (little
 * endian), payload (lens-remote.h lists the channels). Output frames are
 * written blocking, so a slow link slows the probe's reader and the probe
 * counts what its ring buffer drops, as it does locally. When the agent's
 * stream ends (ssh gone) the probe's stdin is closed, which stops it; its
 * last output is read and discarded if it cannot be sent, so it detaches
 * cleanly. A launched target outlives the probe only until then: lens-remote
 * is its subreaper, and ends what is left of it (SIGTERM, SIGKILL after
 * TERMINATE_GRACE_MS) as the local agent does after a stop. The first frame
 * gives the probe's pid, the last how it exited.
 *
 * A link that drops without a word (a laptop's network gone) leaves sshd
 * waiting for TCP to give up, up to hours. With `--alive SECONDS` the agent
 * sends an ALIVE frame every few seconds; after SECONDS without any input
 * (while reading or while waiting to write) the agent counts as gone, so the
 * probe is stopped as on EOF and detaches its programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lens-remote.h"

/* as the agent's TERMINATE_GRACE_MS (trace/session.ts) */
#define TERMINATE_GRACE_MS 500

static int out_broken;

/* --alive: ms without input after which the agent is gone (0: wait for EOF only); when input last came */
static long alive_ms;
static long last_input_ms;

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* poll()'s timeout until the agent counts as gone: -1 without --alive */
static int alive_left_ms(void)
{
	if (!alive_ms)
		return -1;
	long left = last_input_ms + alive_ms - now_ms();
	return left < 0 ? 0 : (int)left;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Input frames, parsed across reads. */
struct in_state {
	uint8_t hdr[5];
	size_t have_hdr;
	uint32_t left;
};

/* The agent's side: its input frames, the probe's and target's stdin they feed. */
static struct in_state in_st;
static int in_open = 1;
static int probe_in = -1, target_in = -1;
static uint8_t in_buf[64 * 1024];

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Hands bytes from the agent to the probe's or the target's stdin. */
static void take_input(struct in_state *s, const uint8_t *p, size_t n)
{
	while (n) {
		if (s->have_hdr < 5) {
			s->hdr[s->have_hdr++] = *p++;
			n--;
			if (s->have_hdr < 5)
				continue;
			s->left = s->hdr[1] | s->hdr[2] << 8 | s->hdr[3] << 16 | (uint32_t)s->hdr[4] << 24;
			if (s->left == 0 && s->hdr[0] == LENS_CH_ALIVE) {
				s->have_hdr = 0;
			} else if (s->left == 0) { /* an empty frame is EOF for that channel */
				close_fd(s->hdr[0] == LENS_CH_PROBE_IN ? &probe_in : &target_in);
				s->have_hdr = 0;
			}
			continue;
		}
		size_t take = n < s->left ? n : s->left;
		int none = -1;
		int *fd = s->hdr[0] == LENS_CH_PROBE_IN ? &probe_in : s->hdr[0] == LENS_CH_TARGET_IN ? &target_in : &none;
		if (*fd >= 0 && write_all(*fd, p, take))
			close_fd(fd); /* reader gone: drop what it would have read */
		p += take;
		n -= take;
		s->left -= (uint32_t)take;
		if (s->left == 0)
			s->have_hdr = 0;
	}
}

/* The agent is gone (its EOF): the probe stops as on EOF; its last output is sent while that works. */
static void agent_gone(void)
{
	in_open = 0;
	close_fd(&probe_in);
	close_fd(&target_in);
}

/* Silent past --alive: gone as on EOF, and nothing more is sent (nobody reads it). */
static void agent_silent(void)
{
	agent_gone();
	out_broken = 1;
}

/* Reads what the agent sent (poll said it is there). */
static void read_input(void)
{
	ssize_t n = read(0, in_buf, sizeof(in_buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		agent_gone();
		return;
	}
	last_input_ms = now_ms();
	take_input(&in_st, in_buf, (size_t)n);
}

/*
 * Writes to the agent (fd 1, non-blocking): while the link is slow it waits,
 * reading the agent's input meanwhile, for as long as the agent is heard from.
 */
static int send_all(const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(1, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		struct pollfd pfd[2] = { { .fd = 1, .events = POLLOUT }, { .fd = 0, .events = POLLIN } };
		int r = poll(pfd, in_open ? 2 : 1, in_open ? alive_left_ms() : -1);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == 0) {
			agent_silent();
			return -1;
		}
		if (r > 0 && in_open && pfd[1].revents)
			read_input();
	}
	return 0;
}

static void send_frame(uint8_t ch, const void *data, uint32_t len)
{
	uint8_t hdr[5] = { ch, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24) };
	if (out_broken)
		return;
	if (send_all(hdr, sizeof(hdr)) || send_all(data, len))
		out_broken = 1;
}

/* Ends the processes left to this subreaper (a launched target the probe left running). */
static void end_orphans(void)
{
	/* our children only: the probe's launched target was reparented to us */
	int any = 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", getpid(), getpid());
	FILE *f = fopen(path, "re");
	if (f) {
		int pid;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, SIGTERM);
			any = 1;
		}
		fclose(f);
	}
	if (!any)
		return;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(-1, NULL, WNOHANG);
		if (r < 0 && errno == ECHILD)
			return;
		if (r > 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= TERMINATE_GRACE_MS)
			break;
		struct timespec pause = { 0, 10 * 1000000 };
		nanosleep(&pause, NULL);
	}
	f = fopen(path, "re");
	if (f) {
		int pid;
		while (fscanf(f, "%d", &pid) == 1)
			kill(pid, SIGKILL);
		fclose(f);
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int lens_mux(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[0], "--alive") == 0) {
		char *end;
		long seconds = strtol(argv[1], &end, 10);
		if (*end || seconds < 1 || seconds > 3600) {
			fprintf(stderr, "lens-remote mux: --alive wants seconds (1-3600), not '%s'\n", argv[1]);
			return 2;
		}
		alive_ms = seconds * 1000;
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || strcmp(argv[0], "--") != 0) {
		fprintf(stderr, "usage: lens-remote mux [--alive SECONDS] -- PROGRAM [ARGS...]\n");
		return 2;
	}
	int pipes[6][2];
	for (int i = 0; i < 6; i++) {
		if (pipe2(pipes[i], O_CLOEXEC)) {
			perror("lens-remote: pipe");
			return 1;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t child = fork();
	if (child < 0) {
		perror("lens-remote: fork");
		return 1;
	}
	if (child == 0) {
		/* child ends of the pipes: 0 and 3 read, 1, 2, 4, 5 write; dup2 clears O_CLOEXEC */
		int ends[6];
		for (int i = 0; i < 6; i++)
			ends[i] = fcntl(pipes[i][(i == 0 || i == 3) ? 0 : 1], F_DUPFD_CLOEXEC, 10);
		for (int i = 0; i < 6; i++)
			dup2(ends[i], i);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[1], argv + 1);
		fprintf(stderr, "lens-remote: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	probe_in = pipes[0][1];
	target_in = pipes[3][1];
	int outs[4] = { pipes[1][0], pipes[2][0], pipes[4][0], pipes[5][0] };
	const uint8_t out_ch[4] = { LENS_CH_PACKETS, LENS_CH_DIAG, LENS_CH_TARGET_OUT, LENS_CH_TARGET_ERR };
	for (int i = 0; i < 6; i++)
		close(pipes[i][(i == 0 || i == 3) ? 0 : 1]);
	fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
	last_input_ms = now_ms();
	int32_t started = child;
	send_frame(LENS_CH_STARTED, &started, sizeof(started));
	static uint8_t buf[256 * 1024];
	for (;;) {
		struct pollfd pfd[5];
		int map[5], np = 0;
		if (in_open) {
			pfd[np] = (struct pollfd){ .fd = 0, .events = POLLIN };
			map[np++] = -1;
		}
		for (int i = 0; i < 4; i++) {
			if (outs[i] < 0)
				continue;
			pfd[np] = (struct pollfd){ .fd = outs[i], .events = POLLIN };
			map[np++] = i;
		}
		/* the probe's own output is what matters: done once it is closed (a target may hold 4/5) */
		if (outs[0] < 0 && outs[1] < 0)
			break;
		int r = poll(pfd, (nfds_t)np, in_open ? alive_left_ms() : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0) {
			agent_silent();
			continue;
		}
		for (int k = 0; k < np; k++) {
			if (!pfd[k].revents)
				continue;
			if (map[k] < 0) {
				if (in_open) /* the agent is gone on EOF: the probe stops */
					read_input();
				continue;
			}
			int fd = pfd[k].fd;
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) { /* an empty frame: that output ended */
				close_fd(&outs[map[k]]);
				send_frame(out_ch[map[k]], buf, 0);
			} else
				send_frame(out_ch[map[k]], buf, (uint32_t)n);
		}
	}
	agent_gone();
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	end_orphans();
	/* the target's output still open (it outlives the probe): what was written is sent */
	for (int i = 2; i < 4; i++) {
		if (outs[i] < 0)
			continue;
		fcntl(outs[i], F_SETFL, O_NONBLOCK);
		ssize_t n;
		while ((n = read(outs[i], buf, sizeof(buf))) > 0)
			send_frame(out_ch[i], buf, (uint32_t)n);
		close_fd(&outs[i]);
	}
	uint8_t ex[5];
	int32_t v = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
	ex[0] = WIFSIGNALED(status) ? 1 : 0;
	memcpy(ex + 1, &v, 4);
	send_frame(LENS_CH_EXIT, ex, sizeof(ex));
	return 0;
}
