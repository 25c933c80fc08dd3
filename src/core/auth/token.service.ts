import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import { AppException } from '../errors/app.exception.js';
import type { Actor, ActorRole } from './actor.js';

const TOKEN_PREFIX = 'hk_';
const CACHE_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface CachedActor {
  actor: Actor;
  until: number;
}

@Injectable()
export class TokenService {
  private readonly cache = new Map<string, CachedActor>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(private readonly prisma: PrismaService) {}

  /** Makes a token; only its hash is stored, the token is returned once. */
  async create(role: ActorRole, memberId?: string, label?: string): Promise<{ id: string; token: string }> {
    if (role === 'member' && !memberId) throw AppException.invalid('a member token needs memberId', [{ field: 'memberId', problems: ['memberId is required for role member'] }]);
    if (role !== 'member' && memberId) throw AppException.invalid('only member tokens belong to a member', [{ field: 'memberId', problems: ['memberId is only allowed for role member'] }]);
    if (memberId && !(await this.prisma.member.findUnique({ where: { id: memberId }, select: { id: true } }))) {
      throw AppException.notFound('member');
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.prisma.apiToken.create({
      data: { tokenHash: hashToken(token), role, memberId: memberId ?? null, label: label ?? null },
      select: { id: true },
    });
    return { id: row.id, token };
  }

  /** The actor behind a bearer token, or undefined. Cached briefly: the hot path of every request. */
  async authenticate(token: string): Promise<Actor | undefined> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.actor;

    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash: hash } });
    if (!row || row.revokedAt) {
      this.cache.delete(hash);
      return undefined;
    }
    const actor: Actor = { id: row.id, role: row.role, memberId: row.memberId ?? undefined };
    this.cache.set(hash, { actor, until: now + CACHE_MS });
    this.touch(row.id, now);
    return actor;
  }

  private touch(id: string, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) + LAST_USED_RESOLUTION_MS > now) return;
    this.lastUsedWritten.set(id, now);
    this.prisma.apiToken.update({ where: { id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
}
