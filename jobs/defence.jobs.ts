import { JobSpec, MINUTE } from './job-spec.js';

export const DEFENCE_QUEUE = 'defence';

export const DEFENCE_JOBS = {
  'defence.apply': { queue: DEFENCE_QUEUE, attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, operation: true },
  /** warns members whose under-attack mode ends soon, and switches lapsed ones off */
  'defence.sweep': { queue: DEFENCE_QUEUE, attempts: 2, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
} as const satisfies Record<string, JobSpec>;

export const DEFENCE_SCHEDULE = {
  sweep: '*/5 * * * *',
} as const;

/** How long before the end the member is told. */
export const DEFENCE_WARNING_MS = 60 * MINUTE;
