import { JobSpec, MINUTE } from './job-spec.js';

export const MAINTENANCE_QUEUE = 'maintenance';

export const MAINTENANCE_JOBS = {
  /** find operations whose job Redis lost, and enqueue them again */
  'maintenance.reconcile': { queue: MAINTENANCE_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
} as const satisfies Record<string, JobSpec>;

export const MAINTENANCE_SCHEDULE = {
  reconcile: '*/1 * * * *',
} as const;
