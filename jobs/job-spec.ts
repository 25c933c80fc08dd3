/** Shapes shared by every part of the job catalog. Framework-free. */

export interface BackoffPolicy {
  type: 'exponential' | 'fixed';
  /** first delay, ms */
  delay: number;
}

export interface JobSpec {
  queue: string;
  attempts: number;
  backoff: BackoffPolicy;
  /** true: the job carries an Operation id and reports through that row */
  operation: boolean;
}

export const MINUTE = 60_000;

/** Payload of every operation-backed job: the row in Postgres says the rest. */
export interface OperationJobData {
  operationId: string;
}

/**
 * Options of every BullMQ worker. A worker killed with jobs in hand leaves
 * them active until another worker's stalled-job check finds their lock (30 s,
 * renewed every 15 s) gone. Checking every 5 s rather than BullMQ's 30 hands
 * them on about 30 s after the kill, not a minute after the restart.
 */
export const WORKER_OPTIONS = { stalledInterval: 5_000 } as const;

/** Removal of finished jobs from Redis; Postgres keeps the history. */
export const KEEP_JOBS = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 24 * 3600, count: 5000 },
} as const;
