import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AcmeAdapter, ariCertId, RenewalInfo } from '../core/adapters/acme.adapter.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { lifetimeMoment, nextAriCheck, renewalMoment } from './renewal-schedule.js';

export interface RenewalPlan {
  renewAt: Date;
  windowStart: Date | null;
  windowEnd: Date | null;
  explanationUrl: string | null;
  ariCheckAt: Date;
}

interface CertificateTiming {
  ariCertId: string;
  notBefore: Date;
  notAfter: Date;
}

interface DueRow {
  site_id: string;
  renew_at: Date | null;
  ari_cert_id: string | null;
  chain_pem: string | null;
  not_before: Date;
  not_after: Date;
}

/** A CA without ARI may gain it: ask once a day. */
const NO_ARI_RECHECK_SECONDS = 86_400;
/** renewalInfo failed (network, CA trouble): the lifetime or last window stands; try again in an hour. */
const FAILED_RECHECK_SECONDS = 3_600;
const PARALLEL_ARI_REQUESTS = 100;

/**
 * When each certificate renews: at a random moment of the window the CA
 * suggests through ACME Renewal Information (RFC 9773), re-read as its
 * Retry-After says, so a CA that shortens windows (revocation drills,
 * incidents) is followed within hours. Without ARI, the lifetime rule.
 */
@Injectable()
export class RenewalPlanner {
  private readonly logger = new Logger(RenewalPlanner.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly acme: AcmeAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async plan(certificate: CertificateTiming, now: Date, previous?: Date | null): Promise<RenewalPlan> {
    const info = await this.acme.renewalInfo(certificate.ariCertId).then(
      (answer) => answer ?? ('none' as const),
      (error: Error) => {
        this.logger.warn(`renewalInfo unavailable, keeping the lifetime rule for now: ${error.message}`);
        return undefined;
      },
    );
    return this.planFrom(info, certificate, now, previous);
  }

  /**
   * Re-reads renewalInfo for the certificates whose check time has come
   * (indexed on ari_check_at: the cost follows the number due, not the
   * total) and stores the new windows and renewal moments in one statement.
   */
  async recheckDue(now: Date, limit: number): Promise<number> {
    const due = await this.prisma.$queryRaw<DueRow[]>`
      SELECT s.site_id::text, s.renew_at, c.ari_cert_id, CASE WHEN c.ari_cert_id IS NULL THEN c.chain_pem END AS chain_pem, c.not_before, c.not_after
      FROM https_states s
      JOIN LATERAL (
        SELECT ari_cert_id, chain_pem, not_before, not_after FROM certificates
        WHERE site_id = s.site_id AND current ORDER BY created_at DESC LIMIT 1
      ) c ON true
      WHERE s.ari_check_at <= ${now} AND s.enabled AND s.renew_at IS NOT NULL
      ORDER BY s.ari_check_at
      LIMIT ${limit}`;
    const plans = await mapLimited(due, PARALLEL_ARI_REQUESTS, async (row) => {
      const certId = row.ari_cert_id ?? ariCertId(row.chain_pem ?? '');
      return { siteId: row.site_id, ...(await this.plan({ ariCertId: certId, notBefore: row.not_before, notAfter: row.not_after }, now, row.renew_at)) };
    });
    if (plans.length > 0) await this.store(plans);
    return plans.length;
  }

  private planFrom(info: RenewalInfo | 'none' | undefined, certificate: CertificateTiming, now: Date, previous?: Date | null): RenewalPlan {
    const lifetime = lifetimeMoment(certificate.notBefore, certificate.notAfter, this.config.acme.renewBeforeFraction);
    if (info === undefined || info === 'none') {
      const fallback = previous ?? lifetime;
      const seconds = info === 'none' ? NO_ARI_RECHECK_SECONDS : FAILED_RECHECK_SECONDS;
      return { renewAt: fallback, windowStart: null, windowEnd: null, explanationUrl: null, ariCheckAt: nextAriCheck(now, seconds) };
    }
    return {
      renewAt: renewalMoment(info.window, now, previous),
      windowStart: info.window.start,
      windowEnd: info.window.end,
      explanationUrl: info.window.explanationUrl ?? null,
      ariCheckAt: nextAriCheck(now, info.retryAfterSeconds),
    };
  }

  private async store(plans: Array<RenewalPlan & { siteId: string }>): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE https_states s
      SET renew_at = v.renew_at, window_start = v.window_start, window_end = v.window_end,
          explanation_url = v.explanation_url, ari_check_at = v.ari_check_at
      FROM unnest(
        ${plans.map((p) => p.siteId)}::uuid[], ${plans.map((p) => p.renewAt)}::timestamptz[],
        ${plans.map((p) => p.windowStart)}::timestamptz[], ${plans.map((p) => p.windowEnd)}::timestamptz[],
        ${plans.map((p) => p.explanationUrl)}::text[], ${plans.map((p) => p.ariCheckAt)}::timestamptz[]
      ) AS v(site_id, renew_at, window_start, window_end, explanation_url, ari_check_at)
      WHERE s.site_id = v.site_id`;
  }
}

async function mapLimited<T, R>(items: T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}
