import { JobSpec, MINUTE } from './job-spec.js';

export const LEGAL_QUEUE = 'legal';

export const LEGAL_JOBS = {
  /** reminders before notice deadlines, gag reviews and the canary's expiry; lifts gags whose review date has come */
  'legal.sweep': { queue: LEGAL_QUEUE, attempts: 3, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
} as const satisfies Record<string, JobSpec>;

export const LEGAL_SCHEDULE = {
  sweep: '*/10 * * * *',
} as const;

export const LEGAL_SWEEP_PERIOD_MS = 10 * MINUTE;
