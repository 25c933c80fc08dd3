import { Injectable } from '@nestjs/common';
import { PrismaService, Tx } from '../database/prisma.service.js';
import type { Actor } from '../auth/actor.js';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string;
  /** what changed; callers pass only non-secret fields */
  changes?: Record<string, unknown>;
}

/** Field names that hold secrets (privateKey, memberPrivateKey, token, password…), not keyType or keyCustody. */
const SECRET_FIELD = /(private|secret|password|passphrase|token)|^(key|.*Key)$/i;
const PUBLIC_KEY_FIELD = /public/i;
/** Values that are secrets whatever field they sit in. */
const SECRET_VALUE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|^hk_[A-Za-z0-9_-]{20,}$/;

@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  /** Record inside the caller's transaction, so the change and its record land together. */
  async record(actor: Actor, entry: AuditEntry, tx: Tx = this.prisma): Promise<void> {
    await tx.auditEvent.create({ data: auditRow(actor, entry) });
  }

  /** The same, as one statement of a batch transaction (prisma.$transaction([...])). */
  statement(actor: Actor, entry: AuditEntry) {
    return this.prisma.auditEvent.create({ data: auditRow(actor, entry), select: { id: true } });
  }

  async list(query: { limit: number; before?: bigint; targetType?: string; targetId?: string }) {
    const rows = await this.prisma.auditEvent.findMany({
      where: {
        ...(query.before !== undefined ? { id: { lt: query.before } } : {}),
        ...(query.targetType ? { targetType: query.targetType } : {}),
        ...(query.targetId ? { targetId: query.targetId } : {}),
      },
      orderBy: { id: 'desc' },
      take: query.limit,
    });
    return rows.map((row) => ({ ...row, id: row.id.toString() }));
  }
}

function auditRow(actor: Actor, entry: AuditEntry) {
  return {
    actor: actor.id,
    actorRole: actor.role,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    changes: redact(entry.changes ?? {}) as object,
  };
}

/** Belt and braces: a field that looks secret is never written to the audit trail. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isSecretField(k) && typeof v === 'string' ? '[redacted]' : redact(v)]),
    );
  }
  return typeof value === 'string' && SECRET_VALUE.test(value) ? '[redacted]' : value;
}

function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name) && !PUBLIC_KEY_FIELD.test(name);
}
