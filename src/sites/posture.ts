import { CronExpressionParser } from 'cron-parser';
import type { Posture } from './dto/site.view.js';

export interface PostureRows {
  https: {
    status: string;
    notAfter: Date | null;
    lastError: string | null;
    hsts: boolean;
    profile: string | null;
    windowStart: Date | null;
    windowEnd: Date | null;
    explanationUrl: string | null;
    servedSerial: string | null;
    verifiedAt: Date | null;
  } | null;
  logging: { mode: string; retentionDays: number; lastPurgedAt: Date | null; modeInForce?: string | null } | null;
  backupPolicy: { enabled: boolean; keyCustody: string; schedule: string; lastSuccessAt: Date | null } | null;
  legalCases: { status: string; riskScore: number }[];
  noticeCount: number;
  defence?: { level: string; until: Date | null; exemptPaths: string[]; shieldRanges: string[] } | null;
}

import type { Prisma } from '../generated/prisma/client.js';

export const POSTURE_INCLUDE = {
  https: {
    select: {
      status: true, notAfter: true, lastError: true, hsts: true,
      profile: true, windowStart: true, windowEnd: true, explanationUrl: true, servedSerial: true, verifiedAt: true,
    },
  },
  logging: { select: { mode: true, retentionDays: true, lastPurgedAt: true, modeInForce: true } },
  backupPolicy: { select: { enabled: true, keyCustody: true, schedule: true, lastSuccessAt: true } },
  legalCases: { where: { status: { in: ['open', 'in_review', 'action_required'] } }, select: { status: true, riskScore: true } },
  // A notice under a gag order is not counted until its gag is lifted: the member must not learn of it.
  _count: { select: { legalNotices: { where: { gaggedUntil: null } } } },
  defence: { select: { level: true, until: true, exemptPaths: true, shieldRanges: true } },
} satisfies Prisma.SiteInclude;

/** A site's security posture at a glance, from the rows each capability keeps. */
export function buildPosture(rows: PostureRows, now = new Date()): Posture {
  const { https, logging, backupPolicy, defence } = rows;
  return {
    https: {
      status: https?.status ?? 'none',
      hsts: https?.hsts ?? false,
      ...(https?.notAfter ? { notAfter: https.notAfter } : {}),
      ...(https?.lastError ? { lastError: https.lastError } : {}),
      ...(https?.profile ? { profile: https.profile } : {}),
      ...(https?.windowStart && https.windowEnd
        ? { renewalWindow: { start: https.windowStart, end: https.windowEnd, ...(https.explanationUrl ? { explanationUrl: https.explanationUrl } : {}) } }
        : {}),
      ...(https?.servedSerial ? { servedSerial: https.servedSerial } : {}),
      ...(https?.verifiedAt ? { verifiedAt: https.verifiedAt } : {}),
    },
    logging: {
      mode: logging?.mode ?? 'off',
      retentionDays: logging?.retentionDays ?? 0,
      ...(logging?.lastPurgedAt ? { lastPurgedAt: logging.lastPurgedAt } : {}),
      // what the host's nginx runs now; `pending` until it runs what was asked
      ...(logging?.modeInForce ? { inForce: logging.modeInForce } : {}),
      pending: (logging?.modeInForce ?? null) !== (logging?.mode ?? 'off'),
    },
    backups: backupPolicy
      ? {
          enabled: backupPolicy.enabled,
          keyCustody: backupPolicy.keyCustody,
          schedule: backupPolicy.schedule,
          ...(backupPolicy.lastSuccessAt ? { lastSuccessAt: backupPolicy.lastSuccessAt } : {}),
          ...(backupPolicy.enabled ? { nextRunAt: nextRun(backupPolicy.schedule, now) } : {}),
        }
      : { enabled: false },
    legal: {
      openCases: rows.legalCases.length,
      notices: rows.noticeCount,
      ...(rows.legalCases.length ? { highestRisk: Math.max(...rows.legalCases.map((c) => c.riskScore)) } : {}),
    },
    defence: {
      level: defence?.level ?? 'off',
      ...(defence?.until && defence.level !== 'off' ? { until: defence.until } : {}),
      exemptPaths: defence?.exemptPaths ?? [],
      shieldRanges: defence?.shieldRanges ?? [],
    },
  };
}

function nextRun(schedule: string, now: Date): Date | undefined {
  try {
    return CronExpressionParser.parse(schedule, { currentDate: now, tz: 'UTC' }).next().toDate();
  } catch {
    return undefined;
  }
}
