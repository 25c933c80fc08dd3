import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { SiteAccess } from '../sites/site-access.service.js';
import { AttestationView, DataHeldView, HeldFileView, SetLoggingDto } from './dto/logging.dto.js';
import { LogFilesAdapter } from './log-files.adapter.js';
import { daysCovered } from './log-retention.js';
import { siteLogDir } from './logging-directives.js';

const ATTESTATIONS_SHOWN = 50;

/** The API half: records the requested mode and its operation; answers what the disk holds. */
@Injectable()
export class LoggingService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SiteAccess,
    private readonly operations: OperationsService,
    private readonly logFiles: LogFilesAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * PUT semantics: an absent retentionDays means the provider's default, not "keep the old one".
   * The access check, the policy, its audit entry and the operation row are one
   * SQL statement (atomic on its own): a burst of a thousand switches then
   * costs a thousand single round trips instead of a thousand interactive
   * transactions queueing for the connection pool.
   */
  async setPolicy(actor: Actor, siteId: string, input: SetLoggingDto): Promise<{ operationId: string }> {
    const policy = { mode: input.mode, retentionDays: input.retentionDays ?? this.config.defaultLogging.retentionDays };
    const operationId = randomUUID();
    const memberId = this.access.scope(actor).memberId ?? null;
    const changes = JSON.stringify(policy);
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      WITH site AS (
        SELECT id FROM sites WHERE id = ${siteId}::uuid AND (${memberId}::uuid IS NULL OR member_id = ${memberId}::uuid)
      ), policy AS (
        INSERT INTO logging_policies (site_id, mode, retention_days, updated_at)
        SELECT id, ${policy.mode}::"LoggingMode", ${policy.retentionDays}, now() FROM site
        ON CONFLICT (site_id) DO UPDATE SET mode = EXCLUDED.mode, retention_days = EXCLUDED.retention_days, updated_at = now()
        RETURNING site_id
      ), audit AS (
        INSERT INTO audit_events (actor, actor_role, action, target_type, target_id, changes)
        SELECT ${actor.id}, ${actor.role}, 'logging.set', 'site', site_id::text, ${changes}::jsonb FROM policy
      )
      INSERT INTO operations (id, kind, site_id, target_type, target_id, payload, actor)
      SELECT ${operationId}::uuid, 'logging.apply', site_id, 'site', site_id::text, ${changes}::jsonb, ${actor.id} FROM policy
      RETURNING id::text`;
    if (rows.length === 0) throw AppException.notFound('site');
    await this.operations.enqueue({ id: operationId, kind: 'logging.apply' });
    return { operationId };
  }

  /** From the disk, not from what the database believes. */
  async dataHeld(actor: Actor, siteId: string): Promise<DataHeldView> {
    const site = await this.access.require(actor, siteId);
    const [files, policy, latest] = await Promise.all([
      this.logFiles.list(siteLogDir(this.config.accessLogDir, site.primaryDomain)),
      this.prisma.loggingPolicy.findUnique({ where: { siteId } }),
      this.prisma.attestation.findFirst({ where: { siteId }, orderBy: { createdAt: 'desc' } }),
    ]);
    const held: HeldFileView[] = files.map((file) => ({ name: file.name, bytes: file.bytes, ...daysCovered(file), modifiedAt: file.modifiedAt }));
    const bytes = held.reduce((sum, file) => sum + file.bytes, 0);
    const days = held.flatMap((file) => [file.firstDay, file.lastDay]).sort();
    return {
      mode: policy?.mode ?? this.config.defaultLogging.mode,
      retentionDays: policy?.retentionDays ?? this.config.defaultLogging.retentionDays,
      nothingHeld: bytes === 0,
      fileCount: held.length,
      bytes,
      ...(days.length ? { oldestDay: days[0], newestDay: days[days.length - 1] } : {}),
      files: held,
      checkedAt: new Date(),
      ...(latest ? { lastAttestation: toAttestationView(latest) } : {}),
    };
  }

  async attestations(actor: Actor, siteId: string): Promise<AttestationView[]> {
    await this.access.require(actor, siteId);
    const rows = await this.prisma.attestation.findMany({ where: { siteId }, orderBy: { createdAt: 'desc' }, take: ATTESTATIONS_SHOWN });
    return rows.map(toAttestationView);
  }
}

function toAttestationView(row: {
  id: string;
  kind: string;
  requestedBy: string;
  files: unknown;
  fileCount: number;
  bytes: bigint;
  createdAt: Date;
}): AttestationView {
  return {
    id: row.id,
    kind: row.kind,
    requestedBy: row.requestedBy,
    files: row.files as AttestationView['files'],
    fileCount: row.fileCount,
    bytes: Number(row.bytes),
    createdAt: row.createdAt,
  };
}
