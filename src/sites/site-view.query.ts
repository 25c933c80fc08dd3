import type { PrismaService } from '../core/database/prisma.service.js';
import type { PostureRows } from './posture.js';

export interface SiteRow {
  id: string;
  memberId: string;
  domains: string[];
  documentRoot: string;
  campaignDescription: string | null;
  campaignTags: string[];
  hostId: string;
  createdAt: Date;
  posture: PostureRows;
}

interface FlatRow {
  id: string;
  member_id: string;
  domains: string[];
  document_root: string;
  campaign_description: string | null;
  campaign_tags: string[];
  host_id: string;
  created_at: Date;
  https_status: string | null;
  not_after: Date | null;
  last_error: string | null;
  hsts: boolean | null;
  profile: string | null;
  window_start: Date | null;
  window_end: Date | null;
  explanation_url: string | null;
  served_serial: string | null;
  verified_at: Date | null;
  log_mode: string | null;
  retention_days: number | null;
  last_purged_at: Date | null;
  mode_in_force: string | null;
  backup_enabled: boolean | null;
  key_custody: string | null;
  schedule: string | null;
  last_success_at: Date | null;
  open_cases: { status: string; riskScore: number }[];
  notice_count: number;
  defence_level: string | null;
  defence_until: Date | null;
  exempt_paths: string[] | null;
  shield_ranges: string[] | null;
}

const SITE_VIEW_SQL = `
  SELECT s.id, s.member_id, s.domains, s.document_root, s.campaign_description, s.campaign_tags, s.host_id::text AS host_id, s.created_at,
         h.status::text AS https_status, h.not_after, h.last_error, h.hsts,
         h.profile, h.window_start, h.window_end, h.explanation_url, h.served_serial, h.verified_at,
         l.mode::text AS log_mode, l.retention_days, l.last_purged_at, l.mode_in_force::text AS mode_in_force,
         b.enabled AS backup_enabled, b.key_custody::text AS key_custody, b.schedule, b.last_success_at,
         COALESCE((SELECT json_agg(json_build_object('status', c.status, 'riskScore', c.risk_score))
                   FROM legal_cases c WHERE c.site_id = s.id AND c.status IN ('open', 'in_review', 'action_required')), '[]'::json) AS open_cases,
         (SELECT count(*)::int FROM legal_notices n WHERE n.site_id = s.id AND n.gagged_until IS NULL) AS notice_count,
         d.level::text AS defence_level, d.until AS defence_until, d.exempt_paths, d.shield_ranges
  FROM sites s
  LEFT JOIN https_states h ON h.site_id = s.id
  LEFT JOIN logging_policies l ON l.site_id = s.id
  LEFT JOIN backup_policies b ON b.site_id = s.id
  LEFT JOIN site_defences d ON d.site_id = s.id
  WHERE s.id = $1::uuid AND ($2::uuid IS NULL OR s.member_id = $2::uuid)`;

/**
 * GET /api/sites/:id is the hottest route: one round trip with joins, as a
 * named prepared statement so Postgres plans it once per connection (measured
 * about 4x the throughput of a query per relation; see scripts/bench-api.ts).
 */
export async function findSiteRow(prisma: PrismaService, id: string, memberId?: string): Promise<SiteRow | undefined> {
  const result = await prisma.pool.query<FlatRow>({ name: 'site_view', text: SITE_VIEW_SQL, values: [id, memberId ?? null] });
  return result.rows[0] && toSiteRow(result.rows[0]);
}

function httpsRow(row: FlatRow): NonNullable<SiteRow['posture']['https']> {
  return {
    status: row.https_status ?? 'none',
    notAfter: row.not_after,
    lastError: row.last_error,
    hsts: row.hsts ?? false,
    profile: row.profile,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    explanationUrl: row.explanation_url,
    servedSerial: row.served_serial,
    verifiedAt: row.verified_at,
  };
}

function toSiteRow(row: FlatRow): SiteRow {
  return {
    id: row.id,
    memberId: row.member_id,
    domains: row.domains,
    documentRoot: row.document_root,
    campaignDescription: row.campaign_description,
    campaignTags: row.campaign_tags,
    hostId: row.host_id,
    createdAt: row.created_at,
    posture: {
      https: row.https_status ? httpsRow(row) : null,
      logging: row.log_mode ? { mode: row.log_mode, retentionDays: row.retention_days ?? 0, lastPurgedAt: row.last_purged_at, modeInForce: row.mode_in_force } : null,
      backupPolicy:
        row.backup_enabled !== null
          ? { enabled: row.backup_enabled, keyCustody: row.key_custody ?? 'provider', schedule: row.schedule ?? '', lastSuccessAt: row.last_success_at }
          : null,
      legalCases: row.open_cases,
      noticeCount: row.notice_count,
      defence: row.defence_level
        ? { level: row.defence_level, until: row.defence_until, exemptPaths: row.exempt_paths ?? [], shieldRanges: row.shield_ranges ?? [] }
        : null,
    },
  };
}
