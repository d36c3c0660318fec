/*
 * The environment variables between a debug configuration, the hold wrapper
 * and the agent (hold-script.ts), named once for the agent and the extension.
 */

/** The hold's folder (its FIFO `reports` and the per-pid reply FIFOs `go.<pid>`). */
export const HOLD_DIR_ENV = 'RUNTIME_LENS_HOLD';
/** The runtime the wrapper runs (looked up in PATH); absent: the wrapper's arguments are the whole command. */
export const HOLD_EXEC_ENV = 'RUNTIME_LENS_HOLD_EXEC';
