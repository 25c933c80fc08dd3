import { Inject, Injectable, Logger } from '@nestjs/common';
import { ACME_TOKEN } from '../../jobs/hosts.jobs.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AcmeAdapter, AcmeError, ariCertId, IssuedCertificate, IssueRequest, OrderNotCreatedError } from '../core/adapters/acme.adapter.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { HostUnavailableError, PermanentJobError } from '../core/operations/operation.errors.js';
import { MailerService } from '../notifications/mailer.service.js';
import { WebServerService } from '../web/web-server.service.js';
import { AcmeAccountService } from './acme-account.service.js';
import { CertificateStore } from './certificate.store.js';
import { issuanceFailedAlert } from './https-alerts.js';
import { backoffDelay } from './backoff.js';
import { OrderLedger, OrderOwner } from './order-ledger.js';
import { RateLimitError, RateLimits } from './rate-limits.js';
import { RenewalPlan, RenewalPlanner } from './renewal-planner.service.js';
import { ServedProof } from './served-proof.service.js';

export type IssueKind = 'enable' | 'renew';

/** The CA said rateLimited without a Retry-After. */
const DEFAULT_CA_PAUSE_MS = 3_600_000;

class Failure {
  constructor(
    readonly message: string,
    readonly permanent: boolean,
    readonly retryAt?: Date,
    /** Our own refusal (rate limit, budget, cooldown): a member's click is told by its operation, not by an alert each time. */
    readonly refusal = false,
  ) {}
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
    private readonly ledger: OrderLedger,
    private readonly planner: RenewalPlanner,
    private readonly proof: ServedProof,
    private readonly web: WebServerService,
    private readonly agents: AgentClient,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `final`: no retry follows a transient failure of this attempt. */
  async issue(siteId: string, kind: IssueKind, final: boolean): Promise<void> {
    const state = await this.prisma.httpsState.findUnique({ where: { siteId }, include: { site: { include: { member: true, host: { select: { defaultProfile: true } } } } } });
    if (!state?.enabled) return;
    const { site } = state;
    const owner: OrderOwner = { siteId, memberId: site.memberId, purpose: kind === 'enable' ? 'member' : 'renewal' };
    // the site's choice, else its host's default, else the install's
    const profile = state.profile ?? site.host.defaultProfile ?? this.config.acme.defaultProfile;
    try {
      await this.limits.check(site.domains, owner);
      const account = await this.accounts.ensure();
      await this.ensureServed(siteId);
      const replaced = await this.store.current(siteId);
      const issued = await this.order(owner, {
        ...account,
        domains: site.domains,
        keyType: state.keyType === 'rsa' ? 'rsa' : 'ecdsa',
        profile,
        replaces: replaced ? (replaced.ariCertId ?? ariCertId(replaced.chainPem)) : undefined,
        // the answer is published by the agent of the host that serves the site, where the CA will ask
        writeChallenge: (token, keyAuthorization) => this.agents.call(site.hostId, 'challenge.put', { token: checkedToken(token), keyAuthorization }),
        removeChallenge: (token) => this.agents.call(site.hostId, 'challenge.remove', { token: checkedToken(token) }),
      });
      // Asking the CA for its renewal window overlaps the wait for nginx.
      const plan = this.planner.plan(issued, new Date());
      await this.prisma.$transaction((tx) => this.store.saveCurrent(tx, siteId, site.domains, state.keyType, issued, profile));
      await this.applyOrThrow(siteId);
      await this.markActive(siteId, kind, issued, await plan, replaced?.serial);
    } catch (error) {
      // an offline host is waited for, not counted as a failure of the site
      if (error instanceof HostUnavailableError) throw error;
      const failure = describe(error);
      await this.markFailed(state, kind, failure, final || failure.permanent);
      throw failure.permanent ? new PermanentJobError(failure.message) : new Error(failure.message);
    }
  }

  /** One order; if the CA has forgotten our account, the same key is registered again and the order sent once more. */
  private async order(owner: OrderOwner, request: IssueRequest): Promise<IssuedCertificate> {
    try {
      return await this.orderOnce(owner, request);
    } catch (error) {
      if (!(error instanceof OrderNotCreatedError && error.accountGone)) throw error;
      this.logger.warn(`the CA no longer knows ACME account ${request.accountUrl}; registering the key again`);
      return this.orderOnce(owner, { ...request, ...(await this.accounts.registerAgain(request)) });
    }
  }

  /** The order as the CA counts it: in the ledger before it goes out, settled after (gone if it never became one); a rateLimited answer pauses the account. */
  private async orderOnce(owner: OrderOwner, request: IssueRequest): Promise<IssuedCertificate> {
    const orderId = await this.ledger.started(owner);
    try {
      const issued = await this.acme.issue(request);
      await this.ledger.settled(orderId, true);
      return issued;
    } catch (error) {
      // Neither an order that never reached the CA nor one abandoned because the site's own host
      // went away (it waits and is ordered again) is a failure of the member's domain.
      if (error instanceof OrderNotCreatedError || error instanceof HostUnavailableError) await this.ledger.discard(orderId);
      else await this.ledger.settled(orderId, false);
      if (error instanceof AcmeError && error.type?.endsWith(':rateLimited')) {
        const until = error.retryAt ?? new Date(Date.now() + DEFAULT_CA_PAUSE_MS);
        await this.ledger.pauseUntil(until, error.detail);
        throw new Failure(`${error.message}; no orders before ${until.toISOString()}`, false, until);
      }
      throw error;
    }
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

  /** Active once nginx serves it; then a handshake proves what is served (and repairs what is not). */
  private async markActive(siteId: string, kind: IssueKind, issued: IssuedCertificate, plan: RenewalPlan, replacedSerial?: string | null): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.httpsState.update({
        where: { siteId },
        data: { status: 'active', notAfter: issued.notAfter, ...plan, lastError: null, failureCount: 0, nextAttemptAt: null, expiryAlertedAt: null },
      });
      const changes = {
        serial: issued.serial,
        notAfter: issued.notAfter,
        renewAt: plan.renewAt,
        ...(replacedSerial ? { replaces: replacedSerial, replacesSent: issued.replacesSent } : {}),
      };
      await this.audit.record(SYSTEM_ACTOR, { action: kind === 'enable' ? 'https.issued' : 'https.renewed', targetType: 'site', targetId: siteId, changes }, tx);
    });
    await this.proof.verify(siteId).catch((error: Error) => this.logger.warn(`proof of service for ${siteId} could not run: ${error.message}`));
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
    if (final && !(failure.refusal && kind === 'enable') && (kind === 'enable' || failureCount === 1 || failure.permanent)) {
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
  if (error instanceof RateLimitError) return new Failure(error.message, true, error.retryAt, true);
  if (error instanceof AcmeError && error.retryAt) return new Failure(error.message, error.permanent, error.retryAt);
  if (error instanceof AcmeError) return new Failure(error.message, error.permanent);
  return new Failure(`HTTPS setup failed: ${(error as Error).message ?? String(error)}`, false);
}

function checkedToken(token: string): string {
  if (!ACME_TOKEN.test(token)) throw new AcmeError('the CA sent a challenge token that is not a plain name', true, 'bad token');
  return token;
}
