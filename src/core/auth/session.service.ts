import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Actor, ActorRole } from './actor.js';
import { hashToken } from './token.service.js';

export const SESSION_COOKIE = 'hk_session';
export const CSRF_HEADER = 'x-csrf-token';
/** lastSeenAt is written at most this often per session: the idle timeout does not need every request. */
const TOUCH_RESOLUTION_MS = 30_000;
/** Used and expired sign-in links are kept a day, then deleted. */
export const KEEP_LINKS_MS = 24 * 3_600_000;
/** Ended sessions stay a year: the audit trail names changes by session, and a session names its person. */
const KEEP_SESSIONS_MS = 365 * 24 * 3_600_000;

export interface Identity {
  email: string;
  role: ActorRole;
  memberId?: string;
}

export interface SessionView extends Identity {
  actor: Actor;
  csrfToken: string;
}

/**
 * Console sessions behind an HttpOnly cookie. Only the cookie's hash is stored;
 * a session ends on sign-out, after SESSION_IDLE_MINUTES without a request, or
 * SESSION_MAX_HOURS after sign-in, whichever comes first.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(identity: Identity): Promise<{ cookie: string; session: SessionView }> {
    await this.prisma.consoleSession.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - KEEP_SESSIONS_MS) } } });
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const row = await this.prisma.consoleSession.create({
      data: {
        tokenHash: hashToken(cookie),
        csrfToken,
        email: identity.email,
        role: identity.role,
        memberId: identity.memberId ?? null,
        expiresAt: new Date(Date.now() + this.config.console.sessionMaxMs),
      },
    });
    return { cookie, session: view(row) };
  }

  async find(cookie: string): Promise<SessionView | undefined> {
    const row = await this.prisma.consoleSession.findUnique({ where: { tokenHash: hashToken(cookie) } });
    const now = Date.now();
    if (!row || row.endedAt || row.expiresAt.getTime() <= now) return undefined;
    if (row.lastSeenAt.getTime() + this.config.console.sessionIdleMs <= now) return undefined;
    if (row.lastSeenAt.getTime() + TOUCH_RESOLUTION_MS <= now) {
      await this.prisma.consoleSession.update({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
    }
    return view(row);
  }

  async end(cookie: string): Promise<void> {
    await this.prisma.consoleSession.updateMany({ where: { tokenHash: hashToken(cookie), endedAt: null }, data: { endedAt: new Date() } });
  }

  sessionIdOf(actor: Actor): string | undefined {
    return actor.id.startsWith('session:') ? actor.id.slice('session:'.length) : undefined;
  }
}

export function csrfMatches(expected: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function view(row: { id: string; email: string; role: ActorRole; memberId: string | null; csrfToken: string }): SessionView {
  const memberId = row.memberId ?? undefined;
  return {
    email: row.email,
    role: row.role,
    memberId,
    csrfToken: row.csrfToken,
    actor: { id: `session:${row.id}`, role: row.role, memberId },
  };
}
