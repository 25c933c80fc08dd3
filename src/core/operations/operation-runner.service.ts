import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { OperationJobData } from '../../../jobs/catalog.js';
import { PrismaService } from '../database/prisma.service.js';
import { briefly } from '../errors/unavailable.js';
import { isLastAttempt } from '../queue/job-handlers.js';
import { Coalescer } from './coalescer.js';
import { HostUnavailableError, PermanentJobError } from './operation.errors.js';

export interface RunnableOperation {
  id: string;
  kind: string;
  siteId: string | null;
  actor: string;
  payload: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A worker holds an operation for this long and renews the hold while it
 * runs; a worker that died lets it lapse, and only then may another take it.
 * 30 s matches BullMQ's lock: a killed worker's job is handed on about when
 * its lease ends (a longer lease only made it wait). A live holder loses its
 * hold only if Postgres stays away for more than 22–30 s (three renewals
 * missed); the fault suite's real Postgres restart lasts 10 s.
 */
export const LEASE_SECONDS = 30;
const HEARTBEAT_MS = (LEASE_SECONDS * 1000) / 4;
/** A job waiting for another's lease asks again this long after it ends, when the claim sees it lapsed. */
const LEASE_MARGIN_MS = 500;

export type JobOutcome = 'succeeded' | 'skipped';

/**
 * Drives an operation-backed job: claims the row, calls the feature's
 * handler, and writes the outcome. The claim is one conditional UPDATE, so
 * when the same operation reaches two workers (BullMQ's stalled-job check
 * handing a killed worker's job on, a reconcile after a Redis flush), only one
 * runs it; the other waits for the holder's lease and asks again: the work is
 * skipped if the holder finished it, and taken over if the holder died.
 * Handlers must still be idempotent: a worker that died mid-way leaves work
 * that another repeats once the lease lapses.
 */
@Injectable()
export class OperationRunner {
  private readonly logger = new Logger(OperationRunner.name);

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(job: Job<OperationJobData>, handler: (operation: RunnableOperation) => Promise<void>): Promise<JobOutcome> {
    const [operation] = await this.claim([job.data.operationId]);
    if (!operation) return this.notClaimed(job);
    await this.holding(job, operation, handler);
    await this.prisma.operation.update({
      where: { id: operation.id },
      data: { status: 'succeeded', error: null, waitingFor: null, finishedAt: new Date(), leaseUntil: null },
    });
    return 'succeeded';
  }

  /**
   * run() for jobs that arrive in bursts: claiming rows and marking them
   * succeeded is shared with the jobs running at the same time (one UPDATE
   * per group instead of one per job). Failures are recorded one by one,
   * exactly as run() does.
   */
  async runGrouped(job: Job<OperationJobData>, handler: (operation: RunnableOperation) => Promise<void>): Promise<JobOutcome> {
    const operation = await this.claims.push(job.data.operationId);
    if (!operation) return this.notClaimed(job);
    await this.holding(job, operation, handler);
    await this.successes.push(operation.id);
    return 'succeeded';
  }

  private async holding(job: Job, operation: RunnableOperation, handler: (operation: RunnableOperation) => Promise<void>): Promise<void> {
    this.hold(operation.id);
    try {
      await handler(operation);
    } catch (error) {
      if (error instanceof HostUnavailableError && job.token) return this.waitForHost(job, operation.id, error);
      await this.recordFailure(job, operation.id, error as Error);
      throw error instanceof PermanentJobError ? new UnrecoverableError((error as Error).message) : error;
    } finally {
      this.release(operation.id);
    }
  }

  /**
   * Every operation this worker holds, renewed together: one UPDATE per
   * heartbeat for all of them, not one per operation (a storm holds
   * thousands at once). Held counts, since one id can be held twice.
   */
  private readonly held = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | undefined;

  private hold(id: string): void {
    this.held.set(id, (this.held.get(id) ?? 0) + 1);
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.renewHeld(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private release(id: string): void {
    const count = (this.held.get(id) ?? 1) - 1;
    if (count > 0) this.held.set(id, count);
    else this.held.delete(id);
    if (this.held.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private async renewHeld(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE operations SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS}) WHERE id = ANY(${ids}::uuid[]) AND status = 'running'`.catch(
      (error: Error) => this.logger.warn(`leases of ${ids.length} operation(s) not renewed: ${briefly(error)}`),
    );
  }

  /**
   * The site's host is offline: the operation says so and goes back to
   * waiting, without spending an attempt or holding a worker, and asks again
   * by itself a little later. Other hosts' work goes on meanwhile.
   */
  private async waitForHost(job: Job, operationId: string, error: HostUnavailableError): Promise<never> {
    await this.prisma.operation.update({ where: { id: operationId }, data: { status: 'queued', waitingFor: error.message, leaseUntil: null } });
    await job.moveToDelayed(Date.now() + this.config.fleet.offlineRetryMs, job.token);
    throw new DelayedError();
  }

  /**
   * Finished (or unknown) operations are skipped. One another holder's lease
   * still covers goes back to delayed until just after the lease ends, without
   * spending an attempt: then it is skipped if the holder finished it, waits
   * again if the holder still renews, and runs if the holder died — without
   * waiting for the next reconcile.
   */
  private async notClaimed(job: Job<OperationJobData>): Promise<'skipped'> {
    const leftMs = await this.leaseLeftMs(job.data.operationId);
    if (leftMs === undefined) return 'skipped';
    this.logger.log(`${job.name} ${job.data.operationId} is held by another worker for ${leftMs} ms; asks again then`);
    await job.moveToDelayed(Date.now() + leftMs + LEASE_MARGIN_MS, job.token);
    throw new DelayedError();
  }

  /** How long the lease of a running operation still holds, by Postgres' clock (the one claims use); undefined when nobody holds it. */
  private async leaseLeftMs(id: string): Promise<number | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await this.prisma.$queryRaw<{ leftMs: number }[]>`
      SELECT GREATEST(0, CEIL(EXTRACT(EPOCH FROM lease_until - now()) * 1000))::int AS "leftMs"
      FROM operations WHERE id = ${id}::uuid AND status = 'running' AND lease_until IS NOT NULL`;
    return row?.leftMs;
  }

  /** Queued rows, and running rows whose holder stopped renewing; never a row another worker holds. */
  private async claim(requested: string[]): Promise<RunnableOperation[]> {
    const ids = requested.filter((id) => UUID.test(id));
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<RunnableOperation[]>`
      UPDATE operations
      SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
          lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
      WHERE id = ANY(${ids}::uuid[])
        AND (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < now())))
      RETURNING id::text AS id, kind, site_id::text AS "siteId", actor, payload`;
  }

  private readonly claims = new Coalescer<string, RunnableOperation | undefined>(async (requested) => {
    const byId = new Map((await this.claim(requested)).map((row) => [row.id, row]));
    // An id asked for twice in one group is run once: the first asker takes the row.
    return requested.map((id) => {
      const row = byId.get(id);
      byId.delete(id);
      return row;
    });
  });

  private readonly successes = new Coalescer<string, void>(async (ids) => {
    await this.prisma.$executeRaw`
      UPDATE operations SET status = 'succeeded', error = NULL, waiting_for = NULL, finished_at = now(), lease_until = NULL WHERE id = ANY(${ids}::uuid[])`;
    return ids.map(() => undefined);
  });

  private async recordFailure(job: Job, operationId: string, error: Error): Promise<void> {
    const final = error instanceof PermanentJobError || isLastAttempt(job);
    const message = error.message.slice(0, 2000);
    await this.prisma.operation.update({
      where: { id: operationId },
      data: final ? { status: 'failed', error: message, waitingFor: null, finishedAt: new Date(), leaseUntil: null } : { status: 'queued', error: message, waitingFor: null, leaseUntil: null },
    });
    this.logger.warn(`${job.name} ${operationId} ${final ? 'failed' : 'will retry'}: ${message}`);
  }
}
