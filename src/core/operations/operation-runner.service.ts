import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import type { OperationJobData } from '../../../jobs/catalog.js';
import { PrismaService } from '../database/prisma.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PermanentJobError } from './operation.errors.js';

export interface RunnableOperation {
  id: string;
  kind: string;
  siteId: string | null;
  actor: string;
  payload: unknown;
}

export type JobOutcome = 'succeeded' | 'skipped';

/**
 * Drives an operation-backed job: marks the row running, calls the feature's
 * handler, and writes the outcome. Handlers must be idempotent: a job may run
 * again after Redis lost it.
 */
@Injectable()
export class OperationRunner {
  private readonly logger = new Logger(OperationRunner.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsService,
  ) {}

  async run(job: Job<OperationJobData>, handler: (operation: RunnableOperation) => Promise<void>): Promise<JobOutcome> {
    const operation = await this.prisma.operation.findUnique({ where: { id: job.data.operationId } });
    if (!operation || operation.status === 'succeeded' || operation.status === 'failed') return 'skipped';

    await this.prisma.operation.update({
      where: { id: operation.id },
      data: { status: 'running', attempts: { increment: 1 }, startedAt: operation.startedAt ?? new Date() },
    });
    try {
      await handler(operation);
    } catch (error) {
      await this.recordFailure(job, operation.id, error as Error);
      throw error instanceof PermanentJobError ? new UnrecoverableError((error as Error).message) : error;
    }
    await this.prisma.operation.update({
      where: { id: operation.id },
      data: { status: 'succeeded', error: null, finishedAt: new Date() },
    });
    this.metrics.jobOutcomes.inc({ job: job.name, outcome: 'succeeded' });
    return 'succeeded';
  }

  private async recordFailure(job: Job, operationId: string, error: Error): Promise<void> {
    const final = error instanceof PermanentJobError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const message = error.message.slice(0, 2000);
    await this.prisma.operation.update({
      where: { id: operationId },
      data: final ? { status: 'failed', error: message, finishedAt: new Date() } : { status: 'queued', error: message },
    });
    this.metrics.jobOutcomes.inc({ job: job.name, outcome: final ? 'failed' : 'retried' });
    this.logger.warn(`${job.name} ${operationId} ${final ? 'failed' : 'will retry'}: ${message}`);
  }
}
