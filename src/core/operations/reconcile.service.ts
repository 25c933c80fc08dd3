import { Injectable, Logger } from '@nestjs/common';
import { JOB, OperationKind, operationJobId } from '../../../jobs/catalog.js';
import { PrismaService } from '../database/prisma.service.js';
import { QueueRegistry } from '../queue/queue.registry.js';
import { OperationsService } from './operations.service.js';

/** Jobs younger than this may simply not be enqueued yet by the request that made them. */
const GRACE_MS = 2_000;

/**
 * Postgres is the source of truth. Redis keeps nothing on disk, so after it
 * restarts (or is flushed) operations still queued, or running with a lapsed
 * lease, have no job. This finds them and enqueues them again; jobId makes it
 * safe to run any number of times, and the runner's claim makes a duplicate
 * delivery harmless.
 */
@Injectable()
export class ReconcileService {
  private readonly logger = new Logger(ReconcileService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: QueueRegistry,
    private readonly operations: OperationsService,
  ) {}

  async reconcileOperations(): Promise<number> {
    const pending = await this.prisma.operation.findMany({
      where: {
        createdAt: { lt: new Date(Date.now() - GRACE_MS) },
        // A running operation whose worker still renews its lease is in hand, whatever Redis forgot.
        OR: [{ status: 'queued' }, { status: 'running', OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] }],
      },
      select: { id: true, kind: true },
      orderBy: { createdAt: 'asc' },
    });
    let requeued = 0;
    for (const operation of pending) {
      if (await this.requeueIfLost(operation)) requeued += 1;
    }
    if (requeued > 0) this.logger.log(`re-enqueued ${requeued} operation(s) that Redis had lost`);
    return requeued;
  }

  private async requeueIfLost(operation: { id: string; kind: string }): Promise<boolean> {
    if (!OperationsService.isKnownKind(operation.kind)) return false;
    const queue = this.queues.of(JOB[operation.kind as OperationKind].queue);
    const job = await queue.getJob(operationJobId(operation.id));
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') return false;
      await job.remove().catch(() => undefined);
    }
    await this.operations.enqueue(operation);
    return true;
  }
}
