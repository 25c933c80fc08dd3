import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Worker } from 'bullmq';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { settlesWithin } from '../async/settles-within.js';
import { workerHosts } from './worker-hosts.js';

/**
 * On shutdown, workers stop taking jobs and finish the ones in hand (a
 * certificate order, a restic backup) while Postgres, Redis and the mailer
 * are still open; those close later, in onApplicationShutdown. A job still
 * running when SHUTDOWN_GRACE_SECONDS is over is cut off: BullMQ sees it
 * stalled and hands it to another worker, and reconcile finds its operation.
 */
@Injectable()
export class WorkerDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerDrain.name);

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A worker's own errors (a job whose key vanished in a Redis flush, a lost
   * lock) are logged as one line instead of crashing through as unhandled
   * 'error' events; reconcile re-derives the work from Postgres.
   */
  onApplicationBootstrap(): void {
    for (const host of workerHosts(this.discovery)) {
      const worker = host.worker;
      if (worker.listenerCount('error') === 0) worker.on('error', (error) => this.logger.warn(`queue ${worker.name}: ${error.message}`));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    const workers = workerHosts(this.discovery).map((host) => host.worker);
    await drainWorkers(workers, this.config.shutdownGraceMs, this.logger);
  }
}

/** Closes every worker, waiting up to graceMs for their active jobs; true if they all ended in time. */
export async function drainWorkers(workers: Worker[], graceMs: number, logger: Pick<Logger, 'log' | 'warn'>): Promise<boolean> {
  const busy = workers.filter((worker) => worker.isRunning());
  if (busy.length === 0) return true;
  logger.log(`stopping: ${busy.length} workers finish the jobs in hand (up to ${graceMs / 1000} s)`);
  const inTime = await settlesWithin(Promise.all(busy.map((worker) => worker.close())), graceMs);
  // A close already under way cannot be forced (BullMQ hands back the same promise); the process
  // exits around it, and the job's lock expires so that stalled-job detection retries it.
  if (!inTime) logger.warn('stopping: grace period over; jobs still running are left to be retried');
  return inTime;
}
