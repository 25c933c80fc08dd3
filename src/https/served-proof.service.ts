import { promises as fs } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { ServedCertificate } from '../core/adapters/served-certificate.adapter.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { WebServerService } from '../web/web-server.service.js';
import { servedMismatchAlert } from './https-alerts.js';

export type ProofOutcome = 'served' | 'repaired' | 'mismatch' | 'skipped';

interface Expected {
  siteId: string;
  hostId: string;
  serial: string;
  domains: string[];
  primaryDomain: string;
  contactEmail: string;
}

const BATCH = 200;
const PARALLEL_PROBES = 20;

/**
 * Proof of service: a certificate renewed but never served is the commonest
 * failure of ACME clients. After every install and once a day a handshake
 * per name checks the served certificate is the newest issued, verifies and
 * names the site; a mismatch is repaired (render again, reload) and alerted.
 */
@Injectable()
export class ServedProof {
  private readonly logger = new Logger(ServedProof.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly agents: AgentClient,
    private readonly web: WebServerService,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async verify(siteId: string): Promise<ProofOutcome> {
    const expected = await this.expected(siteId);
    if (!expected) return 'skipped';
    const first = await this.check(expected);
    if (first.ok) return this.record(expected, first.served, 'served');
    await this.web.repair(siteId);
    const second = await this.check(expected);
    await this.report(expected, first.problem, second.ok);
    return this.record(expected, second.served, second.ok ? 'repaired' : 'mismatch');
  }

  /** Every active site, a batch at a time (the daily run). */
  async verifyAll(): Promise<Record<ProofOutcome, number>> {
    const counts: Record<ProofOutcome, number> = { served: 0, repaired: 0, mismatch: 0, skipped: 0 };
    for (let cursor: string | undefined; ; ) {
      const rows = await this.prisma.httpsState.findMany({
        where: { enabled: true, status: 'active', ...(cursor ? { siteId: { gt: cursor } } : {}) },
        orderBy: { siteId: 'asc' },
        take: BATCH,
        select: { siteId: true },
      });
      if (rows.length === 0) return counts;
      cursor = rows[rows.length - 1].siteId;
      for (let i = 0; i < rows.length; i += PARALLEL_PROBES) {
        const outcomes = await Promise.all(rows.slice(i, i + PARALLEL_PROBES).map(({ siteId }) => this.verify(siteId).catch(() => 'mismatch' as const)));
        for (const outcome of outcomes) counts[outcome] += 1;
      }
    }
  }

  private async expected(siteId: string): Promise<Expected | undefined> {
    const site = await this.prisma.site.findUnique({
      where: { id: siteId },
      select: {
        hostId: true,
        primaryDomain: true,
        domains: true,
        member: { select: { contactEmail: true } },
        https: { select: { enabled: true } },
        certificates: { where: { current: true }, orderBy: { createdAt: 'desc' }, take: 1, select: { serial: true } },
      },
    });
    const serial = site?.certificates[0]?.serial;
    if (!site?.https?.enabled || !serial) return undefined;
    return { siteId, hostId: site.hostId, serial: serial.toUpperCase(), domains: site.domains, primaryDomain: site.primaryDomain, contactEmail: site.member.contactEmail };
  }

  /** One handshake per name: each must present the newest certificate, verified. */
  private async check(expected: Expected): Promise<{ ok: boolean; served?: ServedCertificate; problem: string }> {
    const ca = await this.trustBundle();
    // the handshakes are made by the agent of the host that serves the site, to its own nginx
    const answers = await this.agents.call<Array<ServedCertificate | { error: string }>>(expected.hostId, 'served.probe', { domains: expected.domains, ca });
    let first: ServedCertificate | undefined;
    for (const [index, domain] of expected.domains.entries()) {
      const served = answers[index];
      if (!served || 'error' in served) return { ok: false, served: first, problem: `no TLS handshake for ${domain}: ${served?.error ?? 'no answer'}` };
      first ??= served;
      const problem = mismatch(expected, domain, served);
      if (problem) return { ok: false, served: first, problem };
    }
    return { ok: true, served: first, problem: '' };
  }

  private async record(expected: Expected, served: ServedCertificate | undefined, outcome: ProofOutcome): Promise<ProofOutcome> {
    const ok = outcome === 'served' || outcome === 'repaired';
    await this.prisma.httpsState.update({
      where: { siteId: expected.siteId },
      data: { servedSerial: served?.serial ?? null, ...(ok ? { verifiedAt: new Date() } : {}) },
    });
    return outcome;
  }

  private async report(expected: Expected, problem: string, repaired: boolean): Promise<void> {
    this.logger.warn(`${expected.primaryDomain}: ${problem}; ${repaired ? 'repaired by rendering and reloading again' : 'still wrong after rendering and reloading again'}`);
    await this.prisma.$transaction(async (tx) => {
      await this.audit.record(
        SYSTEM_ACTOR,
        { action: 'https.served_mismatch', targetType: 'site', targetId: expected.siteId, changes: { problem, repaired, expectedSerial: expected.serial } },
        tx,
      );
      if (!repaired) await tx.httpsState.update({ where: { siteId: expected.siteId }, data: { lastError: `the served certificate is not the newest issued: ${problem}` } });
    });
    await this.mailer.send(servedMismatchAlert(expected.primaryDomain, expected.contactEmail, problem, repaired));
  }

  /** Read at each proof, not once: the bundle may gain a root while we run (a CA rotating its root, a test CA restarted). */
  private trustBundle(): Promise<string | undefined> {
    const path = this.config.acme.servedTrustBundle;
    return path ? fs.readFile(path, 'utf8') : Promise.resolve(undefined);
  }
}

function mismatch(expected: Expected, domain: string, served: ServedCertificate): string | undefined {
  if (served.serial !== expected.serial) return `${domain} serves certificate ${served.serial}, the newest issued is ${expected.serial}`;
  if (!served.names.includes(domain)) return `the certificate served for ${domain} does not name it`;
  if (!served.verified) return `the chain served for ${domain} does not verify (${served.verifyError ?? 'unknown reason'})`;
  return undefined;
}
