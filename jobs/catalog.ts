/**
 * The job catalog: every queue, every job, its retry policy and its
 * de-duplication key. Each capability lists its jobs in its own file here;
 * this file joins them. Framework-free; imports nothing from src/.
 */
import { BACKUPS_JOBS, BACKUPS_QUEUE } from './backups.jobs.js';
import { DEFENCE_JOBS, DEFENCE_QUEUE } from './defence.jobs.js';
import { HTTPS_JOBS, HTTPS_QUEUE } from './https.jobs.js';
import { LEGAL_JOBS, LEGAL_QUEUE } from './legal.jobs.js';
import { LOGGING_JOBS, LOGGING_QUEUE } from './logging.jobs.js';
import { MAINTENANCE_JOBS, MAINTENANCE_QUEUE } from './maintenance.jobs.js';

export * from './job-spec.js';
export * from './backups.jobs.js';
export * from './defence.jobs.js';
export * from './https.jobs.js';
export * from './legal.jobs.js';
export * from './logging.jobs.js';
export * from './maintenance.jobs.js';

export const QUEUE = {
  https: HTTPS_QUEUE,
  logging: LOGGING_QUEUE,
  backups: BACKUPS_QUEUE,
  maintenance: MAINTENANCE_QUEUE,
  defence: DEFENCE_QUEUE,
  legal: LEGAL_QUEUE,
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export const JOB = {
  ...HTTPS_JOBS,
  ...LOGGING_JOBS,
  ...BACKUPS_JOBS,
  ...MAINTENANCE_JOBS,
  ...DEFENCE_JOBS,
  ...LEGAL_JOBS,
} as const;

export type JobName = keyof typeof JOB;
export type OperationKind = { [K in JobName]: (typeof JOB)[K]['operation'] extends true ? K : never }[JobName];
export type JobsOfQueue<Q extends QueueName> = { [K in JobName]: (typeof JOB)[K]['queue'] extends Q ? K : never }[JobName];

/**
 * De-duplication: one BullMQ job per operation, however often it is enqueued.
 * (BullMQ refuses ':' in custom job ids: it is its own key separator.)
 */
export function operationJobId(operationId: string): string {
  return `op-${operationId}`;
}

/** One periodic job per period, however many schedulers (or worker processes) fire. */
export function periodicJobId(name: JobName, periodStart: Date): string {
  return `${name}-${periodStart.getTime()}`;
}
