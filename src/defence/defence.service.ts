import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { SiteAccess } from '../sites/site-access.service.js';
import { DEFAULT_DEFENCE_HOURS, SetDefenceDto } from './dto/defence.dto.js';

const HOUR_MS = 3_600_000;

/** The API half: records the requested defence and its operation, in one transaction. */
@Injectable()
export class DefenceService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SiteAccess,
    private readonly operations: OperationsService,
    private readonly audit: AuditService,
    private readonly secrets: SecretsService,
  ) {}

  /** PUT semantics: absent exemptPaths or shieldRanges mean none, absent hours the default. */
  async set(actor: Actor, siteId: string, input: SetDefenceDto, now = new Date()): Promise<{ operationId: string }> {
    const until = input.level === 'off' ? null : new Date(now.getTime() + (input.hours ?? DEFAULT_DEFENCE_HOURS) * HOUR_MS);
    const settings = { level: input.level, until, exemptPaths: input.exemptPaths ?? [], shieldRanges: input.shieldRanges ?? [] };
    const operation = await this.prisma.$transaction(async (tx) => {
      await this.access.require(actor, siteId, tx);
      const existing = await tx.siteDefence.findUnique({ where: { siteId }, select: { passKeyEncrypted: true } });
      const passKeyEncrypted = existing?.passKeyEncrypted ?? (input.level === 'challenge' ? this.newPassKey() : null);
      await tx.siteDefence.upsert({
        where: { siteId },
        create: { siteId, ...settings, passKeyEncrypted, warnedAt: null },
        update: { ...settings, passKeyEncrypted, warnedAt: null },
      });
      await this.audit.record(actor, { action: 'defence.set', targetType: 'site', targetId: siteId, changes: settings }, tx);
      return this.operations.create(tx, actor, { kind: 'defence.apply', siteId, targetType: 'site', payload: settings });
    });
    await this.operations.enqueue(operation);
    return { operationId: operation.id };
  }

  /** 256 bits, sealed at rest; nginx gets it through a root-only file. */
  private newPassKey(): string {
    return this.secrets.encrypt(randomBytes(32).toString('base64url'));
  }
}
