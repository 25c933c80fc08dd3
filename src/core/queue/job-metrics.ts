import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job, Worker } from 'bullmq';
import { MetricsService } from '../metrics/metrics.service.js';
import { workerHosts } from './worker-hosts.js';

/**
 * Counts every finished job, operation or not (sweeps, scheduled backups,
 * drills), by name and outcome, from the workers' own events: one place,
 * so no handler can forget. A handler that returns 'skipped' (work already
 * done by an earlier run) is counted as skipped.
 */
@Injectable()
export class JobMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    for (const host of workerHosts(this.discovery)) countOutcomes(host.worker, this.metrics);
  }
}

export function countOutcomes(worker: Worker, metrics: MetricsService): void {
  worker.on('completed', (job: Job, result: unknown) => {
    metrics.jobOutcomes.inc({ job: job.name, outcome: result === 'skipped' ? 'skipped' : 'succeeded' });
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    if (!job) return;
    // By now BullMQ has counted the failed attempt, so isLastAttempt's + 1 does not apply here.
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobOutcomes.inc({ job: job.name, outcome: final ? 'failed' : 'retried' });
  });
}
