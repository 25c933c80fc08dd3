import { Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import type { OperationJobData } from '../../../jobs/catalog.js';
import { PrismaService } from '../database/prisma.service.js';
import { isLastAttempt } from '../queue/job-handlers.js';
import { Coalescer } from './coalescer.js';
import { PermanentJobError } from './operation.errors.js';

export interface RunnableOperation {
  id: string;
  kind: string;
  siteId: string | null;
  actor: string;
  payload: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type JobOutcome = 'succeeded' | 'skipped';

/**
 * Drives an operation-backed job: marks the row running, calls the feature's
 * handler, and writes the outcome. Handlers must be idempotent: a job may run
 * again after Redis lost it.
 */
@Injectable()
export class OperationRunner {
  private readonly logger = new Logger(OperationRunner.name);

  constructor(private readonly prisma: PrismaService) {}

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
    return 'succeeded';
  }

  /**
   * run() for jobs that arrive in bursts: marking rows running and succeeded
   * is shared with the jobs running at the same time (one UPDATE per group
   * instead of a read and two writes per job). Failures are recorded one by
   * one, exactly as run() does.
   */
  async runGrouped(job: Job<OperationJobData>, handler: (operation: RunnableOperation) => Promise<void>): Promise<JobOutcome> {
    const operation = await this.claims.push(job.data.operationId);
    if (!operation) return 'skipped';
    try {
      await handler(operation);
    } catch (error) {
      await this.recordFailure(job, operation.id, error as Error);
      throw error instanceof PermanentJobError ? new UnrecoverableError((error as Error).message) : error;
    }
    await this.successes.push(operation.id);
    return 'succeeded';
  }

  private readonly claims = new Coalescer<string, RunnableOperation | undefined>(async (requested) => {
    const ids = requested.filter((id) => UUID.test(id));
    const rows = await this.prisma.$queryRaw<RunnableOperation[]>`
      UPDATE operations SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now())
      WHERE id = ANY(${ids}::uuid[]) AND status NOT IN ('succeeded', 'failed')
      RETURNING id::text AS id, kind, site_id::text AS "siteId", actor, payload`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return requested.map((id) => byId.get(id));
  });

  private readonly successes = new Coalescer<string, void>(async (ids) => {
    await this.prisma.$executeRaw`
      UPDATE operations SET status = 'succeeded', error = NULL, finished_at = now() WHERE id = ANY(${ids}::uuid[])`;
    return ids.map(() => undefined);
  });

  private async recordFailure(job: Job, operationId: string, error: Error): Promise<void> {
    const final = error instanceof PermanentJobError || isLastAttempt(job);
    const message = error.message.slice(0, 2000);
    await this.prisma.operation.update({
      where: { id: operationId },
      data: final ? { status: 'failed', error: message, finishedAt: new Date() } : { status: 'queued', error: message },
    });
    this.logger.warn(`${job.name} ${operationId} ${final ? 'failed' : 'will retry'}: ${message}`);
  }
}
