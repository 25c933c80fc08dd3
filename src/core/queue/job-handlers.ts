import type { Job } from 'bullmq';
import type { JobName } from '../../../jobs/catalog.js';

/** A processor's handlers, one per job name of its queue (the type makes the map complete). */
export type JobHandlers<N extends JobName> = Record<N, (job: Job) => Promise<unknown>>;

/** Implemented by every processor, so the start-up check can see who handles what. */
export interface CatalogProcessor {
  readonly handlers: Partial<Record<JobName, unknown>>;
}

export function dispatch<N extends JobName>(handlers: JobHandlers<N>, job: Job): Promise<unknown> {
  const handler = (handlers as Record<string, ((job: Job) => Promise<unknown>) | undefined>)[job.name];
  if (!handler) throw new Error(`no handler for job ${job.name}`);
  return handler(job);
}

/**
 * While a job runs: is this its last attempt? Only then is a failure final
 * (an earlier one is retried, and not worth an alert yet). BullMQ counts the
 * attempt as made only once it has failed, hence the + 1.
 */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
