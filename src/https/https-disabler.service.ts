import { X509Certificate } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AcmeAdapter, AcmeError } from '../core/adapters/acme.adapter.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import { WebServerService } from '../web/web-server.service.js';
import { AcmeAccountService } from './acme-account.service.js';
import { CertificateStore } from './certificate.store.js';

/** Back to plain HTTP: re-render without TLS, optionally revoke, forget the installed files. */
@Injectable()
export class HttpsDisabler {
  constructor(
    private readonly prisma: PrismaService,
    private readonly acme: AcmeAdapter,
    private readonly accounts: AcmeAccountService,
    private readonly store: CertificateStore,
    private readonly web: WebServerService,
    private readonly audit: AuditService,
  ) {}

  async disable(siteId: string, revoke: boolean): Promise<void> {
    const site = await this.prisma.site.findUnique({ where: { id: siteId }, include: { https: { select: { enabled: true } } } });
    if (!site || site.https?.enabled) return;
    const applied = await this.web.apply(siteId);
    if (!applied.ok) throw new PermanentJobError(applied.error);
    const current = await this.store.current(siteId);
    if (revoke && current) await this.revoke(current.chainPem);
    await this.prisma.$transaction(async (tx) => {
      await this.store.retire(tx, siteId, revoke && current ? new Date() : undefined);
      await tx.httpsState.update({
        where: { siteId },
        data: { status: 'none', notAfter: null, renewAt: null, lastError: null, failureCount: 0, nextAttemptAt: null, expiryAlertedAt: null },
      });
      await this.audit.record(
        SYSTEM_ACTOR,
        { action: 'https.disabled', targetType: 'site', targetId: siteId, changes: { revoked: revoke && !!current, serial: current?.serial ?? null } },
        tx,
      );
    });
  }

  private async revoke(chainPem: string): Promise<void> {
    const account = await this.accounts.ensure();
    try {
      await this.acme.revoke(account.accountKeyPem, account.accountUrl, new X509Certificate(chainPem).toString());
    } catch (error) {
      if (error instanceof AcmeError && error.permanent) throw new PermanentJobError(`revocation failed: ${error.message}`);
      throw error;
    }
  }
}
