import { JobSpec, MINUTE } from './job-spec.js';

export const HTTPS_QUEUE = 'https';

/**
 * Issuance retries transient CA or network trouble with a growing delay
 * (5 s doubling, about 10 minutes in all), so an outage of the CA delays an
 * enable rather than failing it; an order the CA answered and failed is not
 * retried here (the member's cooldown refuses it).
 * Renewal failures are retried by the sweep instead, with a backoff kept in
 * Postgres (minutes growing to hours) so it survives Redis losing its data.
 */
export const HTTPS_JOBS = {
  'https.enable': { queue: HTTPS_QUEUE, attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, operation: true },
  'https.renew': { queue: HTTPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: true },
  'https.disable': { queue: HTTPS_QUEUE, attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, operation: true },
  /** finds certificates due for renewal and those close to expiry */
  'https.sweep': { queue: HTTPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
  /** a TLS handshake to every active site: is the newest certificate served? */
  'https.verify-served': { queue: HTTPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
} as const satisfies Record<string, JobSpec>;

export const HTTPS_SCHEDULE = {
  sweep: '*/10 * * * *',
  verifyServed: '20 4 * * *',
} as const;
