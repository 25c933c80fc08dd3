import { JobSpec, MINUTE, OperationJobData } from './job-spec.js';

export const BACKUPS_QUEUE = 'backups';

export const BACKUPS_JOBS = {
  'backups.run': { queue: BACKUPS_QUEUE, attempts: 2, backoff: { type: 'exponential', delay: MINUTE }, operation: true },
  /** fired by a per-site BullMQ job scheduler derived from the policy in Postgres */
  'backups.scheduled': { queue: BACKUPS_QUEUE, attempts: 2, backoff: { type: 'exponential', delay: MINUTE }, operation: false },
  'backups.restore': { queue: BACKUPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: true },
  'backups.delete': { queue: BACKUPS_QUEUE, attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, operation: true },
  'backups.check': { queue: BACKUPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
  'backups.drill': { queue: BACKUPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
  /** the keep rules, once a day per member repository (forget per site, one prune), not after every backup */
  'backups.retention': { queue: BACKUPS_QUEUE, attempts: 2, backoff: { type: 'exponential', delay: MINUTE }, operation: false },
  /** moves a site to another host: backup on the old host, restore on the new, switch serving, clear the old host */
  'sites.move': { queue: BACKUPS_QUEUE, attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, operation: true },
  /** re-derives the per-site job schedulers from Postgres (Redis may have lost them) */
  'backups.reconcile': { queue: BACKUPS_QUEUE, attempts: 1, backoff: { type: 'fixed', delay: MINUTE }, operation: false },
} as const satisfies Record<string, JobSpec>;

export const BACKUPS_SCHEDULE = {
  check: '30 4 * * 0',
  drill: '30 5 * * 0',
  retention: '0 5 * * *',
  reconcile: '*/10 * * * *',
} as const;

/** The scheduler of one site's backups; one per site, replaced when the policy changes. */
export function backupSchedulerId(siteId: string): string {
  return `backup-schedule-${siteId}`;
}

/**
 * A member's private key for one restore, sealed with SECRETS_KEY. It travels
 * in the job's data only (Redis, which keeps nothing on disk), never in the
 * operation row, and is wiped from the job when the restore ends.
 */
export interface RestoreSecrets {
  sealedPrivateKey?: string;
  sealedPassphrase?: string;
}

export type RestoreJobData = OperationJobData & RestoreSecrets;
