import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { retryingConflicts } from '../core/database/deadlocks.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { Coalescer } from '../core/operations/coalescer.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { SiteAccess } from '../sites/site-access.service.js';
import { AttestationView, DataHeldView, HeldFileView, SetLoggingDto } from './dto/logging.dto.js';
import type { HeldFileValue } from '../../jobs/hosts.jobs.js';
import { HostUnavailableError } from '../core/operations/operation.errors.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import { daysCovered, HeldFile } from './log-retention.js';

const ATTESTATIONS_SHOWN = 50;
const HELD_TIMEOUT_MS = 10_000;

/** The API half: records the requested mode and its operation; answers what the disk holds. */
@Injectable()
export class LoggingService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SiteAccess,
    private readonly operations: OperationsService,
    private readonly agents: AgentClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Asked of the site's own host, which reads its disk; an offline host is a 503, never a guess. */
  private async heldOnHost(hostId: string, siteKey: string): Promise<HeldFile[]> {
    try {
      const files = await this.agents.call<HeldFileValue[]>(hostId, 'logs.held', { siteKey }, { timeoutMs: HELD_TIMEOUT_MS });
      return files.map((file) => ({ ...file, modifiedAt: new Date(file.modifiedAt) }));
    } catch (error) {
      const reason = error instanceof HostUnavailableError ? error.message.replace(/^waiting for/, 'cannot ask') : (error as Error).message;
      throw AppException.unavailable(`what the site's host holds cannot be read now: ${reason}`, 30);
    }
  }

  /**
   * PUT semantics: an absent retentionDays means the provider's default, not "keep the old one".
   * The access check, the policy, its audit entry and the operation row are one
   * SQL statement, atomic on its own, shared with the switches that arrive
   * while the previous statement runs: a burst of a thousand switches costs a
   * few dozen round trips and commits instead of a thousand.
   */
  async setPolicy(actor: Actor, siteId: string, input: SetLoggingDto): Promise<{ operationId: string }> {
    const policy = { mode: input.mode, retentionDays: input.retentionDays ?? this.config.defaultLogging.retentionDays };
    const request: PolicyRequest = {
      operationId: randomUUID(),
      siteId,
      memberId: this.access.scope(actor).memberId ?? null,
      mode: policy.mode,
      retentionDays: policy.retentionDays,
      actorId: actor.id,
      actorRole: actor.role,
      changes: policy,
    };
    if (!(await this.policyWrites.push(request))) throw AppException.notFound('site');
    await this.operations.enqueue({ id: request.operationId, kind: 'logging.apply' });
    return { operationId: request.operationId };
  }

  /** One statement per round; a site asked for twice in a group goes into a later round, so the last request wins. */
  private readonly policyWrites = new Coalescer<PolicyRequest, boolean>(async (requests) => {
    const written = new Set<string>();
    for (const round of roundsOfDistinctSites(requests)) {
      round.sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
      const rows = await retryingConflicts(() => this.prisma.$queryRaw<Array<{ id: string }>>`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(round)}::jsonb) AS r(
            "operationId" uuid, "siteId" uuid, "memberId" uuid, mode "LoggingMode", "retentionDays" int, "actorId" text, "actorRole" text, changes jsonb)
        ), allowed AS (
          SELECT input.* FROM input JOIN sites ON sites.id = input."siteId" AND (input."memberId" IS NULL OR sites.member_id = input."memberId")
        ), policy AS (
          INSERT INTO logging_policies (site_id, mode, retention_days, updated_at)
          SELECT "siteId", mode, "retentionDays", now() FROM allowed
          ON CONFLICT (site_id) DO UPDATE SET mode = EXCLUDED.mode, retention_days = EXCLUDED.retention_days, updated_at = now()
          RETURNING site_id
        ), audit AS (
          INSERT INTO audit_events (actor, actor_role, action, target_type, target_id, changes)
          SELECT "actorId", "actorRole", 'logging.set', 'site', "siteId"::text, changes FROM allowed WHERE "siteId" IN (SELECT site_id FROM policy)
        )
        INSERT INTO operations (id, kind, site_id, target_type, target_id, payload, actor)
        SELECT "operationId", 'logging.apply', "siteId", 'site', "siteId"::text, changes, "actorId" FROM allowed WHERE "siteId" IN (SELECT site_id FROM policy)
        RETURNING id::text`);
      rows.forEach(({ id }) => written.add(id));
    }
    return requests.map(({ operationId }) => written.has(operationId));
  });

  /** From the disk, not from what the database believes. */
  async dataHeld(actor: Actor, siteId: string): Promise<DataHeldView> {
    const site = await this.access.require(actor, siteId);
    const [files, policy, latest] = await Promise.all([
      this.heldOnHost(site.hostId, site.primaryDomain),
      this.prisma.loggingPolicy.findUnique({ where: { siteId } }),
      this.prisma.attestation.findFirst({ where: { siteId }, orderBy: { createdAt: 'desc' } }),
    ]);
    const held: HeldFileView[] = files.map((file) => ({ name: file.name, bytes: file.bytes, ...daysCovered(file), modifiedAt: file.modifiedAt }));
    const bytes = held.reduce((sum, file) => sum + file.bytes, 0);
    const days = held.flatMap((file) => [file.firstDay, file.lastDay]).sort();
    return {
      mode: policy?.mode ?? this.config.defaultLogging.mode,
      retentionDays: policy?.retentionDays ?? this.config.defaultLogging.retentionDays,
      nothingHeld: bytes === 0,
      fileCount: held.length,
      bytes,
      ...(days.length ? { oldestDay: days[0], newestDay: days[days.length - 1] } : {}),
      files: held,
      checkedAt: new Date(),
      ...(latest ? { lastAttestation: toAttestationView(latest) } : {}),
    };
  }

  async attestations(actor: Actor, siteId: string): Promise<AttestationView[]> {
    await this.access.require(actor, siteId);
    const rows = await this.prisma.attestation.findMany({ where: { siteId }, orderBy: { createdAt: 'desc' }, take: ATTESTATIONS_SHOWN });
    return rows.map(toAttestationView);
  }
}

interface PolicyRequest {
  operationId: string;
  siteId: string;
  memberId: string | null;
  mode: string;
  retentionDays: number;
  actorId: string;
  actorRole: string;
  changes: Record<string, unknown>;
}

function roundsOfDistinctSites(requests: PolicyRequest[]): PolicyRequest[][] {
  const rounds: PolicyRequest[][] = [];
  const lastRound = new Map<string, number>();
  for (const request of requests) {
    const index = (lastRound.get(request.siteId) ?? -1) + 1;
    (rounds[index] ??= []).push(request);
    lastRound.set(request.siteId, index);
  }
  return rounds;
}

function toAttestationView(row: {
  id: string;
  kind: string;
  requestedBy: string;
  files: unknown;
  fileCount: number;
  bytes: bigint;
  createdAt: Date;
}): AttestationView {
  return {
    id: row.id,
    kind: row.kind,
    requestedBy: row.requestedBy,
    files: row.files as AttestationView['files'],
    fileCount: row.fileCount,
    bytes: Number(row.bytes),
    createdAt: row.createdAt,
  };
}
