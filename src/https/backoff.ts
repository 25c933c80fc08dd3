const MINUTE = 60_000;
const BACKOFF_FIRST = 5 * MINUTE;
const BACKOFF_CAP = 6 * 60 * MINUTE;

/** Renewal and member-cooldown backoff: 5 minutes, doubling, at most 6 hours. */
export function backoffDelay(failureCount: number): number {
  return Math.min(BACKOFF_FIRST * 2 ** Math.max(0, failureCount - 1), BACKOFF_CAP);
}
