/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire format between the agent and lens-symbolize, defined once here and
 * mirrored by remote-agent/src/symbolize/wire.ts (its unit test checks these
 * numbers). Every message on stdin and stdout is a frame: a little-endian u32
 * byte count, then that many bytes.
 *
 * Request (agent -> helper), fixed header then the variable parts in order:
 *   u32 type          LSYM_REQ_UNWIND or LSYM_REQ_FORGET
 *   u32 id            echoed in the answer
 *   u32 pid, u32 tid
 *   u64 start         the process's start time (its key with pid; opaque here)
 *   u32 gen           mappings generation: the agent bumps it on exec/mmap;
 *                     a change rereads /proc/PID/maps
 *   u32 stack_len     bytes of stack snapshot that follow the header
 *   u64 regs[17]      x86_64 in DWARF order: rax rdx rcx rbx rsi rdi rbp rsp
 *                     r8 .. r15 rip
 *   u64 stack_addr    user address of the first snapshot byte (the sp)
 *   u8  stack[stack_len]
 *   optional, when the frame goes on after the stack: the process's code
 *   mappings at the event (from the probe's mmap records), used instead of
 *   /proc/PID/maps, which may be gone or show mappings made since:
 *   u32 nmaps
 *   nmaps times:
 *     u64 start, u64 end, u64 pgoff (file offset at start), u64 ino,
 *     s64 mtime_sec, u32 mtime_nsec, u32 dev (kernel dev_t),
 *     u16 flags (LSYM_MAP_DELETED), u16 path_len, u8 path[path_len]
 *
 * Answer (helper -> agent):
 *   u32 id
 *   u16 flags         LSYM_ANS_TRUNCATED: the stack goes on past the frames
 *   u16 nframes
 *   str truncation    why the frames stop early ("" when complete)
 *   str error         why nothing could be known about the process ("" if ok)
 *   nframes times:
 *     u64 pc, u32 line, u32 column (0 = unknown), u8 frame flags
 *     str function, str file, str module, str reason (why no line, "" if any)
 * where str is a u16 byte count followed by UTF-8 bytes (no terminator).
 */
#ifndef LENS_SYMBOLIZE_PROTOCOL_H
#define LENS_SYMBOLIZE_PROTOCOL_H

#define LSYM_REQ_UNWIND 1u /* unwind the snapshot and symbolize every frame */
#define LSYM_REQ_FORGET 2u /* the process exited: drop what is cached for it */

#define LSYM_NREGS 17
#define LSYM_REQ_HEADER_BYTES (4 * 4 + 8 + 4 + 4 + LSYM_NREGS * 8 + 8)
#define LSYM_MAX_STACK (64 * 1024)
#define LSYM_MAX_MAPS_BYTES (256 * 1024)
#define LSYM_MAPPING_BYTES (8 * 5 + 4 + 4 + 2 + 2)
#define LSYM_MAP_DELETED 1u /* the file was already unlinked when it was mapped */
#define LSYM_MAX_REQUEST (LSYM_REQ_HEADER_BYTES + LSYM_MAX_STACK + LSYM_MAX_MAPS_BYTES)

#define LSYM_ANS_TRUNCATED 1u
#define LSYM_FRAME_INLINED 1u

#define LSYM_MAX_FRAMES 128
#define LSYM_MAX_STR 4096

#endif
