import { Inject, Injectable } from '@nestjs/common';
import type { OperationKind } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService, Tx } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { SiteAccess } from '../sites/site-access.service.js';
import type { EnableHttpsDto } from './dto/https.dto.js';

export const HTTPS_OPERATION_KINDS: OperationKind[] = ['https.enable', 'https.renew', 'https.disable'];

/**
 * Serializes HTTPS requests for one site across API processes, so "no two
 * orders in flight for the same site" holds even for simultaneous requests.
 */
export async function lockSite(tx: Tx, siteId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`https:${siteId}`}))`;
}

/** The id of the site's HTTPS operation still queued or running, if any. */
export async function pendingHttpsOperation(tx: Tx, siteId: string): Promise<string | undefined> {
  const row = await tx.operation.findFirst({
    where: { siteId, kind: { in: HTTPS_OPERATION_KINDS }, status: { in: ['queued', 'running'] } },
    select: { id: true },
  });
  return row?.id;
}

/** The API half: records the request and its operation; the worker does the rest. */
@Injectable()
export class HttpsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SiteAccess,
    private readonly audit: AuditService,
    private readonly operations: OperationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async requestEnable(actor: Actor, siteId: string, input: EnableHttpsDto): Promise<{ operationId: string }> {
    const operation = await this.prisma.$transaction(async (tx) => {
      await this.lockAndCheck(tx, actor, siteId);
      const previous = await tx.httpsState.findUnique({ where: { siteId } });
      const settings = {
        enabled: true,
        hsts: input.hsts ?? previous?.hsts ?? false,
        keyType: input.keyType ?? previous?.keyType ?? this.config.acme.keyType,
      };
      const fresh = { status: 'pending' as const, lastError: null, failureCount: 0, nextAttemptAt: null };
      await tx.httpsState.upsert({ where: { siteId }, create: { siteId, ...settings, ...fresh }, update: { ...settings, ...fresh } });
      await this.audit.record(actor, { action: 'https.enable', targetType: 'site', targetId: siteId, changes: settings }, tx);
      return this.operations.create(tx, actor, { kind: 'https.enable', siteId, targetType: 'site', payload: settings });
    });
    await this.operations.enqueue(operation);
    return { operationId: operation.id };
  }

  async requestDisable(actor: Actor, siteId: string, revoke: boolean): Promise<{ operationId: string }> {
    const operation = await this.prisma.$transaction(async (tx) => {
      await this.lockAndCheck(tx, actor, siteId);
      await tx.httpsState.upsert({ where: { siteId }, create: { siteId, enabled: false }, update: { enabled: false } });
      await this.audit.record(actor, { action: 'https.disable', targetType: 'site', targetId: siteId, changes: { revoke } }, tx);
      return this.operations.create(tx, actor, { kind: 'https.disable', siteId, targetType: 'site', payload: { revoke } });
    });
    await this.operations.enqueue(operation);
    return { operationId: operation.id };
  }

  private async lockAndCheck(tx: Tx, actor: Actor, siteId: string): Promise<void> {
    await lockSite(tx, siteId);
    await this.access.require(actor, siteId, tx);
    const pending = await pendingHttpsOperation(tx, siteId);
    if (pending) throw AppException.conflict('an HTTPS operation is already in progress for this site', { operationId: pending });
  }
}
