import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { PrismaService } from '../database/prisma.service.js';
import { AppException } from '../errors/app.exception.js';
import type { Actor, ActorRole } from './actor.js';

const TOKEN_PREFIX = 'hk_';
const CACHE_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000;
const DAY_MS = 24 * 3600_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface CachedActor {
  actor: Actor;
  until: number;
}

export interface TokenView {
  id: string;
  role: ActorRole;
  memberId?: string;
  label?: string;
  createdAt: Date;
  lastUsedAt?: Date;
  expiresAt?: Date;
}

export interface NewToken {
  role: ActorRole;
  memberId?: string;
  label?: string;
  expiresInDays?: number;
}

@Injectable()
export class TokenService {
  private readonly cache = new Map<string, CachedActor>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  /** Makes a token; only its hash is stored, the token is returned once. */
  async create(role: ActorRole, memberId?: string, label?: string, expiresInDays?: number): Promise<{ id: string; token: string; expiresAt?: Date }> {
    if (role === 'member' && !memberId) throw AppException.invalid('a member token needs memberId', [{ field: 'memberId', problems: ['memberId is required for role member'] }]);
    if (role !== 'member' && memberId) throw AppException.invalid('only member tokens belong to a member', [{ field: 'memberId', problems: ['memberId is only allowed for role member'] }]);
    if (memberId && !(await this.prisma.member.findUnique({ where: { id: memberId }, select: { id: true } }))) {
      throw AppException.notFound('member');
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * DAY_MS) : null;
    const row = await this.prisma.apiToken.create({
      data: { tokenHash: hashToken(token), role, memberId: memberId ?? null, label: label ?? null, expiresAt },
      select: { id: true },
    });
    return { id: row.id, token, ...(expiresAt ? { expiresAt } : {}) };
  }

  /** Tokens still usable: neither revoked nor expired. Never the secret, which is not stored. */
  async list(): Promise<TokenView[]> {
    const rows = await this.prisma.apiToken.findMany({
      where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      ...(row.memberId ? { memberId: row.memberId } : {}),
      ...(row.label ? { label: row.label } : {}),
      createdAt: row.createdAt,
      ...(row.lastUsedAt ? { lastUsedAt: row.lastUsedAt } : {}),
      ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
    }));
  }

  /** Refused from now on; other API processes stop accepting it within their cache time (5 s). */
  async revoke(actor: Actor, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const row = await tx.apiToken.updateManyAndReturn({ where: { id, revokedAt: null }, data: { revokedAt: new Date() }, select: { role: true, memberId: true } });
      if (row.length === 0) throw AppException.notFound('token');
      await this.audit.record(actor, { action: 'token.revoke', targetType: 'token', targetId: id, changes: { role: row[0].role, memberId: row[0].memberId } }, tx);
    });
    for (const [hash, cached] of this.cache) if (cached.actor.id === id) this.cache.delete(hash);
  }

  /** The actor behind a bearer token, or undefined. Cached briefly: the hot path of every request. */
  async authenticate(token: string): Promise<Actor | undefined> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.actor;

    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash: hash } });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) {
      this.cache.delete(hash);
      return undefined;
    }
    const actor: Actor = { id: row.id, role: row.role, memberId: row.memberId ?? undefined };
    const until = Math.min(now + CACHE_MS, row.expiresAt?.getTime() ?? Infinity);
    this.cache.set(hash, { actor, until });
    this.touch(row.id, now);
    return actor;
  }

  /** lastUsedAt to the minute: one write per token per minute, not one per request. */
  private touch(id: string, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) + LAST_USED_RESOLUTION_MS > now) return;
    this.lastUsedWritten.set(id, now);
    this.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
}
