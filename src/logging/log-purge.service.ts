import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { retryingConflicts } from '../core/database/deadlocks.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { Coalescer } from '../core/operations/coalescer.js';
import type { RunnableOperation } from '../core/operations/operation-runner.service.js';
import { WebServerService } from '../web/web-server.service.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import type { PurgedFile } from './log-files.adapter.js';
import type { LoggingModeName } from './logging-directives.js';

export type AttestationKind = 'logs.purge' | 'logs.retention';

/**
 * The worker half of a mode change: nginx first, then the purge. The order
 * matters: deleting before nginx runs the new configuration would let it keep
 * writing full lines into fresh files. The reload resolves only once the old
 * workers have exited, so no process still holds a descriptor to what we delete.
 */
@Injectable()
export class LogPurgeService {
  private readonly logger = new Logger(LogPurgeService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly web: WebServerService,
    private readonly agents: AgentClient,
  ) {}

  async apply(operation: RunnableOperation): Promise<void> {
    const applied = await this.web.applyOperationSite(operation);
    if (!applied.ok) throw new Error(`nginx did not take the new logging configuration: ${applied.error}`);
    const requested = requestedMode(operation.payload);
    if (requested === 'off' || requested === 'anonymized') {
      await this.purge(applied.siteId, applied.hostId, applied.siteKey, requested, operation.actor);
    }
  }

  /**
   * The host that applied the site (the one it is placed on) deletes every
   * file in the site's log folder (rotated and compressed ones included, and
   * in `off` until the folder stays empty) and says what it deleted; that list
   * is the attestation.
   */
  private async purge(siteId: string, hostId: string, siteKey: string, mode: 'off' | 'anonymized', requestedBy: string): Promise<void> {
    const purged = await this.agents.call<PurgedFile[]>(hostId, 'logs.purge', { siteKey, mode });
    await this.attest(siteId, 'logs.purge', requestedBy, purged, { mode });
    if (purged.length > 0) this.logger.log(`purged ${purged.length} log files for site ${siteId} (logging ${mode})`);
  }

  /**
   * Proof of deletion, the policy's lastPurgedAt (purges only) and the audit
   * entry. Attestations made while one is being written are written together
   * in one statement: a thousand purges at once cost a few round trips, not a
   * thousand.
   */
  attest(siteId: string, kind: AttestationKind, requestedBy: string, files: PurgedFile[], context: Record<string, unknown> = {}): Promise<void> {
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    const id = randomUUID();
    const changes = { attestationId: id, requestedBy, fileCount: files.length, bytes, ...context };
    return this.attestations.push({ id, siteId, kind, requestedBy, files, fileCount: files.length, bytes, changes, purge: kind === 'logs.purge' });
  }

  private readonly attestations = new Coalescer<AttestationRow, void>(async (rows) => {
    await retryingConflicts(() => this.prisma.$executeRaw`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS row(id uuid, "siteId" uuid, kind text, "requestedBy" text, files jsonb, "fileCount" int, bytes bigint, changes jsonb, purge boolean)
      ), attestation AS (
        INSERT INTO attestations (id, site_id, kind, requested_by, files, file_count, bytes)
        SELECT id, "siteId", kind, "requestedBy", files, "fileCount", bytes FROM input
      ), policy AS (
        UPDATE logging_policies SET last_purged_at = now(), updated_at = now()
        WHERE site_id IN (SELECT "siteId" FROM input WHERE purge)
      )
      INSERT INTO audit_events (actor, actor_role, action, target_type, target_id, changes)
      SELECT ${SYSTEM_ACTOR.id}, ${SYSTEM_ACTOR.role}, kind, 'site', "siteId"::text, changes FROM input`);
    return rows.map(() => undefined);
  });
}

interface AttestationRow {
  id: string;
  siteId: string;
  kind: AttestationKind;
  requestedBy: string;
  files: PurgedFile[];
  fileCount: number;
  bytes: number;
  changes: Record<string, unknown>;
  purge: boolean;
}

function requestedMode(payload: unknown): LoggingModeName | undefined {
  const mode = (payload as { mode?: unknown } | null)?.mode;
  return mode === 'off' || mode === 'anonymized' || mode === 'full' ? mode : undefined;
}
