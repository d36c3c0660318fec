/*
 * Why events were lost (SessionStats.lostReasons), with the words every view
 * and the CLI summary show. No imports: the webview bundle uses it too.
 */

/** Each reason and its words. */
export const LOSS_REASONS = {
  /** the kernel ring buffer or the probe's output queue was full (the agent did not read the probe fast enough) */
  buffers_full: 'buffers full',
  /** the probe died with events committed to its output that never reached the agent */
  probe_died: 'probe died',
  /** the agent's output queue to the client was full: the client did not read it in time */
  client_not_reading: 'client not reading',
} as const;
export type LossReason = keyof typeof LOSS_REASONS;

/** The reasons that have a count, e.g. "buffers full 5, client not reading 2" ('' when none). */
export function lossReasonsText(reasons: Partial<Record<LossReason, number>> | undefined, format: (n: number) => string = String): string {
  return (Object.keys(LOSS_REASONS) as LossReason[]).filter((r) => reasons?.[r]).map((r) => `${LOSS_REASONS[r]} ${format(reasons![r]!)}`).join(', ');
}
