import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AcmeAdapter, AcmeError, IssuedCertificate } from '../core/adapters/acme.adapter.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import { MailerService } from '../notifications/mailer.service.js';
import { challengeDir } from '../web/vhost.renderer.js';
import { WebServerService } from '../web/web-server.service.js';
import { AcmeAccountService } from './acme-account.service.js';
import { CertificateStore } from './certificate.store.js';
import { issuanceFailedAlert } from './https-alerts.js';
import { RateLimitError, RateLimits } from './rate-limits.js';

export type IssueKind = 'enable' | 'renew';

const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const MINUTE = 60_000;
const BACKOFF_FIRST = 5 * MINUTE;
const BACKOFF_CAP = 6 * 60 * MINUTE;

class Failure {
  constructor(
    readonly message: string,
    readonly permanent: boolean,
    readonly retryAt?: Date,
  ) {}
}

/** Renewal backoff: 5 minutes, doubling, at most 6 hours. */
export function backoffDelay(failureCount: number): number {
  return Math.min(BACKOFF_FIRST * 2 ** Math.max(0, failureCount - 1), BACKOFF_CAP);
}

/**
 * The worker half of "one click": order, validate, store, install, serve.
 * posture.https only turns active once nginx serves the new certificate.
 */
@Injectable()
export class HttpsIssuer {
  private readonly logger = new Logger(HttpsIssuer.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly acme: AcmeAdapter,
    private readonly accounts: AcmeAccountService,
    private readonly store: CertificateStore,
    private readonly limits: RateLimits,
    private readonly web: WebServerService,
    private readonly files: FilesAdapter,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `final`: no retry follows a transient failure of this attempt. */
  async issue(siteId: string, kind: IssueKind, final: boolean): Promise<void> {
    const state = await this.prisma.httpsState.findUnique({ where: { siteId }, include: { site: { include: { member: true } } } });
    if (!state?.enabled) return;
    const { site } = state;
    try {
      await this.limits.check(site.domains);
      const account = await this.accounts.ensure();
      await this.ensureServed(siteId);
      const issued = await this.acme.issue({
        ...account,
        domains: site.domains,
        keyType: state.keyType === 'rsa' ? 'rsa' : 'ecdsa',
        writeChallenge: (token, keyAuthorization) => this.files.writeAtomic(this.challengePath(token), keyAuthorization),
        removeChallenge: (token) => this.files.remove(this.challengePath(token)),
      });
      // Asking the CA for its renewal window overlaps the wait for nginx.
      const renewAt = this.renewAt(issued);
      await this.prisma.$transaction((tx) => this.store.saveCurrent(tx, siteId, site.domains, state.keyType, issued));
      await this.applyOrThrow(siteId);
      await this.markActive(siteId, kind, issued, await renewAt);
    } catch (error) {
      const failure = describe(error);
      await this.markFailed(state, kind, failure, final || failure.permanent);
      throw failure.permanent ? new PermanentJobError(failure.message) : new Error(failure.message);
    }
  }

  private challengePath(token: string): string {
    if (!TOKEN.test(token)) throw new AcmeError('the CA sent a challenge token that is not a plain name', true, 'bad token');
    return join(challengeDir(this.config.stateDir), token);
  }

  private async applyOrThrow(siteId: string): Promise<void> {
    const result = await this.web.apply(siteId);
    if (!result.ok) throw new Failure(result.error, true);
  }

  /** The challenge path must be served before ordering; it nearly always is already, and confirming that needs no batch. */
  private async ensureServed(siteId: string): Promise<void> {
    const result = await this.web.ensureApplied(siteId);
    if (!result.ok) throw new Failure(result.error, true);
  }

  private async markActive(siteId: string, kind: IssueKind, issued: IssuedCertificate, renewAt: Date): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.httpsState.update({
        where: { siteId },
        data: { status: 'active', notAfter: issued.notAfter, renewAt, lastError: null, failureCount: 0, nextAttemptAt: null, expiryAlertedAt: null },
      });
      await this.audit.record(
        SYSTEM_ACTOR,
        { action: kind === 'enable' ? 'https.issued' : 'https.renewed', targetType: 'site', targetId: siteId, changes: { serial: issued.serial, notAfter: issued.notAfter, renewAt } },
        tx,
      );
    });
  }

  /** The CA's suggested window (ARI) when offered, else two thirds into the lifetime. */
  private async renewAt(issued: IssuedCertificate): Promise<Date> {
    const window = await this.acme.renewalInfo(issued.certificatePem).catch((error: Error) => {
      this.logger.warn(`renewalInfo unavailable, using the lifetime rule: ${error.message}`);
      return undefined;
    });
    if (window) return window.start;
    const lifetime = issued.notAfter.getTime() - issued.notBefore.getTime();
    return new Date(issued.notAfter.getTime() - lifetime * this.config.acme.renewBeforeFraction);
  }

  private async markFailed(
    state: { siteId: string; failureCount: number; notAfter: Date | null; site: Parameters<typeof issuanceFailedAlert>[0] },
    kind: IssueKind,
    failure: Failure,
    final: boolean,
  ): Promise<void> {
    const failureCount = state.failureCount + 1;
    const stillServed = kind === 'renew' && state.notAfter !== null && state.notAfter > new Date();
    const retry = kind === 'renew' ? this.nextRenewal(failure, failureCount) : {};
    await this.prisma.$transaction(async (tx) => {
      await tx.httpsState.update({
        where: { siteId: state.siteId },
        data: { lastError: failure.message, ...(final ? { failureCount, status: stillServed ? 'active' : 'failed', ...retry } : {}) },
      });
      await this.audit.record(
        SYSTEM_ACTOR,
        { action: `https.${kind}.failed`, targetType: 'site', targetId: state.siteId, changes: { reason: failure.message, final, permanent: failure.permanent } },
        tx,
      );
    });
    if (final && (kind === 'enable' || failureCount === 1 || failure.permanent)) {
      await this.mailer.send(issuanceFailedAlert(state.site, kind, failure.message));
    }
  }

  /** Permanent errors leave the sweep until a person acts; others back off in Postgres. */
  private nextRenewal(failure: Failure, failureCount: number): { nextAttemptAt?: Date; renewAt?: null } {
    if (failure.retryAt) return { nextAttemptAt: failure.retryAt };
    if (failure.permanent) return { renewAt: null };
    return { nextAttemptAt: new Date(Date.now() + backoffDelay(failureCount)) };
  }
}

function describe(error: unknown): Failure {
  if (error instanceof Failure) return error;
  if (error instanceof RateLimitError) return new Failure(error.message, true, error.retryAt);
  if (error instanceof AcmeError) return new Failure(error.message, error.permanent);
  return new Failure(`HTTPS setup failed: ${(error as Error).message ?? String(error)}`, false);
}
