import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { JOB, OperationKind, operationJobId } from '../../../jobs/catalog.js';
import type { Actor } from '../auth/actor.js';
import { PrismaService, Tx } from '../database/prisma.service.js';
import { settlesWithin } from '../async/settles-within.js';
import { AuditService, redact } from '../audit/audit.service.js';
import { AppException } from '../errors/app.exception.js';
import { QueueRegistry } from '../queue/queue.registry.js';

export interface OperationRequest {
  kind: OperationKind;
  siteId?: string;
  targetType: string;
  targetId?: string;
  payload?: Record<string, unknown>;
}

/** An operation and the audit entry that says who asked for it; the entry's changes get the operation id. */
export interface AcceptRequest extends OperationRequest {
  audit: { action: string; changes?: Record<string, unknown> };
}

/**
 * How long a request waits for Redis to take a job. With Redis down BullMQ's
 * connection would wait for ever; the row is in Postgres already, so the
 * request answers and the job follows when Redis is back (or reconcile adds it).
 */
export const ENQUEUE_BUDGET_MS = 500;

export interface OperationView {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  siteId: string | null;
  error?: string;
  /** why a queued operation is not running yet, e.g. "waiting for host web2 (offline since …)" */
  waitingFor?: string;
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
    private readonly audit: AuditService,
  ) {}

  /** The one way to accept an operation: its row and its audit entry, in the caller's transaction. */
  async accept(tx: Tx, actor: Actor, request: AcceptRequest): Promise<{ id: string; kind: OperationKind }> {
    const id = randomUUID();
    await tx.operation.create({ data: operationRow(id, actor, request), select: { id: true } });
    await this.audit.record(actor, auditEntry(id, request), tx);
    return { id, kind: request.kind };
  }

  /** An operation row as a statement of a batch transaction (prisma.$transaction([...])), the path for storms of requests. */
  createStatement(actor: Actor, request: OperationRequest & { id: string }) {
    return this.prisma.operation.create({ data: operationRow(request.id, actor, request), select: { id: true } });
  }

  /** An operation row without an audit entry of its own: for work another entry already describes. */
  async create(tx: Tx, actor: Actor, request: OperationRequest): Promise<{ id: string; kind: OperationKind }> {
    const id = randomUUID();
    await tx.operation.create({ data: operationRow(id, actor, request), select: { id: true } });
    return { id, kind: request.kind };
  }

  /**
   * After commit. A failure or a slow Redis is logged, not thrown: the reconcile step will enqueue it.
   * `secrets` travel in the job's data only (Redis, which keeps nothing on disk here), never in the row.
   */
  async enqueue(operation: { id: string; kind: string }, secrets: Record<string, string> = {}): Promise<void> {
    const adding = this.queues.add(operation.kind as OperationKind, { ...secrets, operationId: operation.id }, operationJobId(operation.id));
    try {
      if (!(await settlesWithin(adding, ENQUEUE_BUDGET_MS))) {
        this.logger.warn(`operation ${operation.id} not enqueued yet (Redis does not answer); it will be when Redis is back`);
        adding.catch(() => undefined);
      }
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
  waitingFor?: string | null;
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
    ...(row.waitingFor && (row.status === 'queued' || row.status === 'running') ? { waitingFor: row.waitingFor } : {}),
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/**
 * Operation rows live as long as the history: a payload that looks secret
 * (a key, a token, a password) is a bug, refused before it reaches Postgres.
 * Secrets a job needs travel in its Redis data (see enqueue).
 */
function operationRow(id: string, actor: Actor, request: OperationRequest) {
  const payload = JSON.parse(JSON.stringify(request.payload ?? {})) as Record<string, unknown>;
  if (JSON.stringify(redact(payload)) !== JSON.stringify(payload)) throw new Error(`the payload of a ${request.kind} operation may not carry secrets`);
  return {
    id,
    kind: request.kind,
    siteId: request.siteId ?? null,
    targetType: request.targetType,
    targetId: request.targetId ?? request.siteId ?? null,
    payload: payload as object,
    actor: actor.id,
  };
}

function auditEntry(operationId: string, request: AcceptRequest) {
  return {
    action: request.audit.action,
    targetType: request.targetType,
    targetId: request.targetId ?? request.siteId,
    changes: { ...request.audit.changes, operationId },
  };
}
