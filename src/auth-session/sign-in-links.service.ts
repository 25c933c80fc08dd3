import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AuditService } from '../core/audit/audit.service.js';
import { Identity, KEEP_LINKS_MS } from '../core/auth/session.service.js';
import { hashToken } from '../core/auth/token.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException, ErrorCode } from '../core/errors/app.exception.js';
import { MailerService } from '../notifications/mailer.service.js';
import { Language, message } from '../ui/catalog.js';
import { IdentityDirectory, NamedIdentity } from './identities.js';
import { HourlyLimiter } from './source-limiter.js';

const LINK_LIFETIME_MS = 15 * 60_000;

/**
 * One-time sign-in links: mailed to a known address, single use, 15 minutes,
 * stored only as a hash. The answer never says whether an address is known.
 */
@Injectable()
export class SignInLinksService {
  private readonly logger = new Logger(SignInLinksService.name);
  private readonly perSource: HourlyLimiter;

  constructor(
    private readonly prisma: PrismaService,
    private readonly identities: IdentityDirectory,
    private readonly mailer: MailerService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.perSource = new HourlyLimiter(config.console.linkLimitPerSource);
  }

  /** Returns at once; the lookup and the mail happen after the answer, so timing tells nothing either. */
  request(email: string, source: string, language: Language): void {
    if (!this.perSource.take(source)) return;
    this.send(email.trim().toLowerCase(), language).catch((error: unknown) => {
      this.logger.warn(`sign-in link not sent: ${(error as Error).message}`);
    });
  }

  /** The identity behind a link, once; a used, expired or unknown link is refused the same way. */
  async redeem(token: string): Promise<Identity> {
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.signInLink.updateManyAndReturn({
        where: { tokenHash: hashToken(token), usedAt: null, expiresAt: { gt: new Date() } },
        data: { usedAt: new Date() },
      });
      const link = claimed[0];
      if (!link) throw new AppException(ErrorCode.Unauthenticated, 'this sign-in link has expired or was already used: ask for a new one');
      const identity: Identity = { email: link.email, role: link.role, memberId: link.memberId ?? undefined };
      await this.audit.record({ id: `link:${link.id}`, role: link.role, memberId: identity.memberId }, { action: 'console.sign_in', targetType: 'console_session', changes: { via: 'link' } }, tx);
      return identity;
    });
  }

  private async send(email: string, language: Language): Promise<void> {
    const found = await this.identities.byEmail(email);
    if (found.length === 0) return;
    const since = new Date(Date.now() - 3_600_000);
    const recent = await this.prisma.signInLink.count({ where: { email, createdAt: { gt: since } } });
    if (recent >= this.config.console.linkLimitPerAddress * found.length) return;
    const lines = await Promise.all(found.map((identity) => this.linkLine(identity, language)));
    const text = [message(language, 'mail.signin.intro'), '', ...lines, '', message(language, 'mail.signin.outro')].join('\n');
    await this.mailer.sendTo(email, message(language, 'mail.signin.subject'), text);
  }

  private async linkLine(identity: NamedIdentity, language: Language): Promise<string> {
    const who = identity.role === 'member' ? message(language, 'mail.signin.asMember', { name: identity.memberName ?? '' }) : message(language, `role.${identity.role}`);
    return `${who}:\n${await this.issue(identity)}`;
  }

  /** A new one-time link for this identity (the mail above, or the sandbox's first staff sign-in). */
  async issue(identity: Identity): Promise<string> {
    await this.prisma.signInLink.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - KEEP_LINKS_MS) } } });
    const token = randomBytes(32).toString('base64url');
    await this.prisma.signInLink.create({
      data: {
        tokenHash: hashToken(token),
        email: identity.email,
        role: identity.role,
        memberId: identity.memberId ?? null,
        expiresAt: new Date(Date.now() + LINK_LIFETIME_MS),
      },
    });
    // The token rides in the fragment: browsers never send it to a server, so it stays out of proxies' logs.
    return `${this.config.console.publicUrl}/#/signin/${token}`;
  }
}
