/* lens-remote's two commands, each in its own file. */
#ifndef LENS_REMOTE_H
#define LENS_REMOTE_H

/* Channels of the multiplexed stream (mux.c); the agent's backend/remote/mux-stream.ts mirrors them. */
enum lens_channel {
	LENS_CH_PROBE_IN = 0,   /* agent -> probe stdin (control commands); empty frame = EOF */
	LENS_CH_PACKETS = 1,    /* probe stdout; on every output channel an empty frame = it ended */
	LENS_CH_DIAG = 2,       /* probe stderr */
	LENS_CH_TARGET_IN = 3,  /* agent -> launched target's stdin; empty frame = EOF */
	LENS_CH_TARGET_OUT = 4, /* launched target's stdout */
	LENS_CH_TARGET_ERR = 5, /* launched target's stderr */
	LENS_CH_ALIVE = 6,      /* agent -> mux: the agent is there (payload ignored), for mux --alive */
	LENS_CH_STARTED = 254,  /* the probe runs: i32 its pid */
	LENS_CH_EXIT = 255,     /* the probe exited: u8 0 = code, 1 = signal; i32 value */
};

/* Prints process facts as JSON lines (facts.c). */
int lens_facts(int argc, char **argv);
/* Runs a program with six piped fds and carries them over stdin/stdout, stopping it when the agent is gone (mux.c). */
int lens_mux(int argc, char **argv);

#endif
