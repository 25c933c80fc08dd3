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

/** Removal of finished jobs from Redis; Postgres keeps the history. */
export const KEEP_JOBS = {
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 24 * 3600, count: 5000 },
} as const;
