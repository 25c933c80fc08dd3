import { Injectable, Logger } from '@nestjs/common';
import { JOB, OperationKind, operationJobId } from '../../../jobs/catalog.js';
import type { Actor } from '../auth/actor.js';
import { PrismaService, Tx } from '../database/prisma.service.js';
import { AppException } from '../errors/app.exception.js';
import { QueueRegistry } from '../queue/queue.registry.js';

export interface OperationRequest {
  kind: OperationKind;
  siteId?: string;
  targetType: string;
  targetId?: string;
  payload?: Record<string, unknown>;
}

export interface OperationView {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  siteId: string | null;
  error?: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Every 202 is a row here first. The row is written in the caller's
 * transaction; the job is enqueued after commit. If Redis is down or loses
 * the job, the reconcile step enqueues it again from this row.
 */
@Injectable()
export class OperationsService {
  private readonly logger = new Logger(OperationsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: QueueRegistry,
  ) {}

  async create(tx: Tx, actor: Actor, request: OperationRequest): Promise<{ id: string; kind: OperationKind }> {
    const row = await tx.operation.create({
      data: {
        kind: request.kind,
        siteId: request.siteId ?? null,
        targetType: request.targetType,
        targetId: request.targetId ?? request.siteId ?? null,
        payload: (request.payload ?? {}) as object,
        actor: actor.id,
      },
      select: { id: true },
    });
    return { id: row.id, kind: request.kind };
  }

  /** After commit. A failure here is logged, not thrown: the reconcile step will enqueue it. */
  async enqueue(operation: { id: string; kind: string }): Promise<void> {
    try {
      await this.queues.add(operation.kind as OperationKind, { operationId: operation.id }, operationJobId(operation.id));
    } catch (error) {
      this.logger.warn(`operation ${operation.id} not enqueued yet (${(error as Error).message}); reconcile will retry`);
    }
  }

  /** True if an operation of this kind is still pending for the site: one order in flight at a time. */
  async pendingFor(siteId: string, kinds: OperationKind[], tx: Tx = this.prisma): Promise<boolean> {
    const row = await tx.operation.findFirst({
      where: { siteId, kind: { in: kinds }, status: { in: ['queued', 'running'] } },
      select: { id: true },
    });
    return row !== null;
  }

  async get(actor: Actor, id: string): Promise<OperationView> {
    const row = await this.prisma.operation.findUnique({ where: { id } });
    if (!row || !(await this.maySee(actor, row))) throw AppException.notFound('operation');
    return operationView(row);
  }

  /** Newest first, for staff: what is in flight, what failed. */
  async list(query: { statuses: OperationView['status'][]; limit: number; before?: Date }): Promise<OperationView[]> {
    const rows = await this.prisma.operation.findMany({
      where: { status: { in: query.statuses }, ...(query.before ? { createdAt: { lt: query.before } } : {}) },
      orderBy: { createdAt: 'desc' },
      take: query.limit,
    });
    return rows.map(operationView);
  }

  private async maySee(actor: Actor, row: { actor: string; siteId: string | null }): Promise<boolean> {
    if (actor.role === 'staff' || row.actor === actor.id) return true;
    if (actor.role !== 'member' || !row.siteId) return false;
    const site = await this.prisma.site.findFirst({ where: { id: row.siteId, memberId: actor.memberId }, select: { id: true } });
    return site !== null;
  }

  static isKnownKind(kind: string): kind is OperationKind {
    return kind in JOB && JOB[kind as OperationKind].operation;
  }
}

function operationView(row: {
  id: string;
  kind: string;
  status: OperationView['status'];
  siteId: string | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}): OperationView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    siteId: row.siteId,
    ...(row.error ? { error: row.error } : {}),
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
