import { JobSpec, MINUTE } from './job-spec.js';

export const LOGGING_QUEUE = 'logging';

export const LOGGING_JOBS = {
  'logging.apply': { queue: LOGGING_QUEUE, attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, operation: true },
  /** deletes access logs older than each site's retention */
  'logging.retention': { queue: LOGGING_QUEUE, attempts: 2, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
} as const satisfies Record<string, JobSpec>;

export const LOGGING_SCHEDULE = {
  retention: '15 * * * *',
} as const;
