import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../core/auth/actor.js';
import { AuditService } from '../../core/audit/audit.service.js';
import { PrismaService, Tx } from '../../core/database/prisma.service.js';
import { AppException } from '../../core/errors/app.exception.js';
import { OperationsService } from '../../core/operations/operations.service.js';
import { MailerService } from '../../notifications/mailer.service.js';
import { SiteAccess } from '../../sites/site-access.service.js';
import { BackupsService } from '../backups.service.js';
import type { CreateRestoreRequestDto, DeclineRestoreRequestDto, RequestState, RestoreRequestView } from './restore-request.dto.js';
import { isLanguage, Language } from '../../ui/catalog.js';
import { decidedMail, requestedAlert } from './restore-request-mail.js';

const LIST_LIMIT = 200;

type RequestRow = Awaited<ReturnType<PrismaService['restoreRequest']['findMany']>>[number];
type OperationFacts = { id: string; status: string; error: string | null };

/**
 * A member asks for one of its backups to be put back. Provider custody: the request waits for
 * staff, who fulfil it (the existing restore) or decline it. Member custody: only the member's
 * private key can open the archive, so the member sends it with the request and the restore starts
 * at once; the key lives only in the job's Redis data, sealed, as for a staff restore.
 */
@Injectable()
export class RestoreRequestsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
    private readonly backups: BackupsService,
    private readonly operations: OperationsService,
    private readonly mailer: MailerService,
  ) {}

  /** `language`: of the member's mails about the request. */
  async create(actor: Actor, siteId: string, input: CreateRestoreRequestDto, language: Language = 'en'): Promise<RestoreRequestView> {
    const site = await this.access.require(actor, siteId);
    const run = await this.keptBackup(siteId, input.snapshotId);
    if (!run) throw AppException.notFound('snapshot');
    this.backups.assertRestoreKey(input.snapshotId, input);
    const startNow = run.custody === 'member';
    const sealed = this.backups.sealRestoreSecrets(input);
    const id = randomUUID();
    const { row, op } = await this.prisma
      .$transaction(async (tx) => {
        await this.access.require(actor, siteId, tx);
        const op = startNow ? await this.backups.acceptRestore(tx, actor, siteId, input.snapshotId, { restoreRequestId: id }) : undefined;
        const row = await tx.restoreRequest.create({
          data: {
            id,
            siteId,
            snapshotId: input.snapshotId,
            custody: run.custody,
            snapshotAt: run.startedAt,
            note: input.note?.trim() || null,
            language,
            requestedBy: actor.id,
            ...(op ? { status: 'started' as const, operationId: op.id, decidedBy: actor.id, decidedAt: new Date() } : {}),
          },
        });
        await this.audit.record(actor, { action: 'backups.restore-request', targetType: 'site', targetId: siteId, changes: { restoreRequestId: id, snapshotId: input.snapshotId, custody: run.custody, startsAtOnce: !!op } }, tx);
        return { row, op };
      })
      .catch(explainConflict);
    if (op) await this.operations.enqueue(op, { ...sealed });
    await this.mailer.send(requestedAlert({ domain: site.primaryDomain, snapshotAt: row.snapshotAt, requestId: id, note: row.note }, !!op));
    return toView(row, op ? { id: op.id, status: 'queued', error: null } : undefined);
  }

  async listForSite(actor: Actor, siteId: string): Promise<RestoreRequestView[]> {
    await this.access.require(actor, siteId);
    const rows = await this.prisma.restoreRequest.findMany({ where: { siteId }, orderBy: { createdAt: 'desc' }, take: LIST_LIMIT });
    return this.withOperations(rows);
  }

  async list(status: RequestState = 'requested'): Promise<RestoreRequestView[]> {
    const rows = await this.prisma.restoreRequest.findMany({ where: { status }, orderBy: { createdAt: 'asc' }, take: LIST_LIMIT, include: { site: { select: { primaryDomain: true } } } });
    const views = await this.withOperations(rows);
    return views.map((view, i) => ({ ...view, primaryDomain: rows[i].site.primaryDomain }));
  }

  /** Staff: the existing restore, linked to the request; the request moves on only if the restore was accepted. */
  async fulfil(actor: Actor, requestId: string): Promise<RestoreRequestView> {
    const request = await this.open(requestId);
    if (!(await this.keptBackup(request.siteId, request.snapshotId))) {
      throw AppException.conflict('this backup is no longer kept (retention or a deletion removed it): decline the request and say so');
    }
    const { row, op } = await this.prisma.$transaction(async (tx) => {
      const op = await this.backups.acceptRestore(tx, actor, request.siteId, request.snapshotId, { restoreRequestId: requestId });
      const row = await this.decide(tx, requestId, { status: 'started', operationId: op.id, decidedBy: actor.id });
      await this.audit.record(actor, { action: 'backups.restore-request.fulfil', targetType: 'site', targetId: request.siteId, changes: { restoreRequestId: requestId, operationId: op.id } }, tx);
      return { row, op };
    });
    await this.operations.enqueue(op);
    await this.mailDecision(row, { started: true });
    return toView(row, { id: op.id, status: 'queued', error: null });
  }

  async decline(actor: Actor, requestId: string, input: DeclineRestoreRequestDto): Promise<RestoreRequestView> {
    const request = await this.open(requestId);
    const reason = input.reason?.trim() || null;
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await this.decide(tx, requestId, { status: 'declined', reason, decidedBy: actor.id });
      await this.audit.record(actor, { action: 'backups.restore-request.decline', targetType: 'site', targetId: request.siteId, changes: { restoreRequestId: requestId } }, tx);
      return row;
    });
    await this.mailDecision(row, { started: false, reason });
    return toView(row);
  }

  private async open(requestId: string): Promise<RequestRow> {
    const request = await this.prisma.restoreRequest.findUnique({ where: { id: requestId } });
    if (!request) throw AppException.notFound('restore request');
    if (request.status !== 'requested') throw AppException.conflict(`this request is ${request.status} already`);
    return request;
  }

  /** Only from "requested": two staff pressing at once start one restore. */
  private async decide(tx: Tx, requestId: string, data: { status: 'started' | 'declined'; operationId?: string; reason?: string | null; decidedBy: string }): Promise<RequestRow> {
    const moved = await tx.restoreRequest.updateMany({ where: { id: requestId, status: 'requested' }, data: { ...data, decidedAt: new Date() } });
    if (moved.count !== 1) throw AppException.conflict('this request was decided meanwhile');
    return tx.restoreRequest.findUniqueOrThrow({ where: { id: requestId } });
  }

  private keptBackup(siteId: string, snapshotId: string) {
    return this.prisma.backupRun.findFirst({ where: { siteId, snapshotId, kind: 'backup', status: 'succeeded', deletedAt: null }, select: { custody: true, startedAt: true } });
  }

  /** The member hears in the language of its request; staff, in English. */
  private async mailDecision(row: RequestRow, decision: Parameters<typeof decidedMail>[1]): Promise<void> {
    const site = await this.prisma.site.findUniqueOrThrow({ where: { id: row.siteId }, select: { primaryDomain: true, member: { select: { contactEmail: true } } } });
    const facts = { domain: site.primaryDomain, snapshotAt: row.snapshotAt, requestId: row.id };
    const language = isLanguage(row.language) ? row.language : 'en';
    const member = decidedMail(facts, decision, language);
    await Promise.all([this.mailer.sendTo(site.member.contactEmail, member.subject, member.text), this.mailer.send(decidedMail(facts, decision, 'en'))]);
  }

  private async withOperations(rows: RequestRow[]): Promise<RestoreRequestView[]> {
    const ids = rows.map((row) => row.operationId).filter((id): id is string => !!id);
    const ops = ids.length ? await this.prisma.operation.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, error: true } }) : [];
    const byId = new Map(ops.map((op) => [op.id, op]));
    return rows.map((row) => toView(row, row.operationId ? byId.get(row.operationId) : undefined));
  }
}

/** The one-open-request-per-site index speaks as a 409. */
function explainConflict(error: unknown): never {
  if ((error as { code?: string }).code === 'P2002') {
    throw AppException.conflict('this site already has a restore request waiting for staff', [{ field: 'snapshotId', problems: ['one open restore request per site'] }]);
  }
  throw error;
}

function displayStatus(row: RequestRow, op?: OperationFacts): RestoreRequestView['status'] {
  if (row.status !== 'started') return row.status;
  if (op?.status === 'succeeded') return 'restored';
  if (op?.status === 'failed') return 'failed';
  return 'restoring';
}

function toView(row: RequestRow, op?: OperationFacts): RestoreRequestView {
  return {
    id: row.id,
    siteId: row.siteId,
    snapshotId: row.snapshotId,
    snapshotAt: row.snapshotAt,
    custody: row.custody,
    status: displayStatus(row, op),
    ...(row.note ? { note: row.note } : {}),
    ...(row.operationId ? { operationId: row.operationId } : {}),
    ...(op?.error ? { error: op.error } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    createdAt: row.createdAt,
    ...(row.decidedAt ? { decidedAt: row.decidedAt } : {}),
  };
}
