import type { RenewalWindow } from '../core/adapters/acme.adapter.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Let's Encrypt asks about every 6 hours; without a Retry-After that is our pace too. */
export const DEFAULT_ARI_RECHECK_MS = 6 * HOUR;
/** RFC 9773 4.3: clients bound the CA's Retry-After to something reasonable. */
const MIN_RECHECK_MS = MINUTE;
const MAX_RECHECK_MS = 24 * HOUR;

/**
 * RFC 9773 4.2: a uniformly random moment inside the window, at once if the
 * window has passed. A moment chosen earlier is kept while it is still inside
 * the window and ahead of us, so re-reading an unchanged window every few
 * hours does not keep moving the renewal.
 */
export function renewalMoment(window: RenewalWindow, now: Date, previous?: Date | null, random: () => number = Math.random): Date {
  const end = window.end.getTime();
  if (end <= now.getTime()) return now;
  if (previous && previous >= window.start && previous.getTime() < end && previous >= now) return previous;
  const start = Math.max(window.start.getTime(), now.getTime());
  return new Date(start + Math.floor(random() * (end - start)));
}

/** The fallback for CAs without ARI: a fixed share of the lifetime before expiry. */
export function lifetimeMoment(notBefore: Date, notAfter: Date, beforeFraction: number): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - lifetime * beforeFraction);
}

export function nextAriCheck(now: Date, retryAfterSeconds?: number): Date {
  const wait = retryAfterSeconds === undefined ? DEFAULT_ARI_RECHECK_MS : Math.min(Math.max(retryAfterSeconds * 1000, MIN_RECHECK_MS), MAX_RECHECK_MS);
  return new Date(now.getTime() + wait);
}
