import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OperationKind } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { PrismaService, Tx } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { SiteAccess } from '../sites/site-access.service.js';
import { CaProfiles } from './ca-profiles.service.js';
import type { EnableHttpsDto } from './dto/https.dto.js';

export const HTTPS_OPERATION_KINDS: OperationKind[] = ['https.enable', 'https.renew', 'https.disable'];

/** The partial unique index that keeps one HTTPS operation queued or running per site. */
const IN_FLIGHT_INDEX = 'operations_https_in_flight_key';

/** True when an insert lost to another HTTPS operation of the same site (the database said so). */
export function isInFlightConflict(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { meta?: unknown }).meta ?? {})}` : String(error);
  return text.includes(IN_FLIGHT_INDEX);
}

/** The id of the site's HTTPS operation still queued or running, if any. */
export async function pendingHttpsOperation(tx: Tx, siteId: string): Promise<string | undefined> {
  const row = await tx.operation.findFirst({
    where: { siteId, kind: { in: HTTPS_OPERATION_KINDS }, status: { in: ['queued', 'running'] } },
    select: { id: true },
  });
  return row?.id;
}

/**
 * The API half: records the request and its operation; the worker does the
 * rest. The access check, the state, its audit entry and the operation row
 * are one SQL statement (atomic on its own), and "no two orders in flight for
 * a site" is a unique index: a storm of clicks costs one round trip each,
 * with no lock and no interactive transaction holding a pooled connection.
 */
@Injectable()
export class HttpsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SiteAccess,
    private readonly operations: OperationsService,
    private readonly profiles: CaProfiles,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** hsts, keyType and profile default to the site's previous choice, then to false, ACME_KEY_TYPE and ACME_DEFAULT_PROFILE. */
  async requestEnable(actor: Actor, siteId: string, input: EnableHttpsDto): Promise<{ operationId: string }> {
    if (input.profile !== undefined) await this.profiles.assertOffered(input.profile);
    return this.accept(actor, siteId, 'https.enable', (operationId, memberId) => this.prisma.$queryRaw<Array<{ id: string }>>`
      WITH site AS (
        SELECT id FROM sites WHERE id = ${siteId}::uuid AND (${memberId}::uuid IS NULL OR member_id = ${memberId}::uuid)
      ), settings AS (
        SELECT site.id AS site_id,
               COALESCE(${input.hsts ?? null}::boolean, previous.hsts, false) AS hsts,
               COALESCE(${input.keyType ?? null}::text, previous.key_type, ${this.config.acme.keyType}) AS key_type,
               COALESCE(${input.profile ?? null}::text, previous.profile) AS profile
        FROM site LEFT JOIN https_states previous ON previous.site_id = site.id
      ), state AS (
        INSERT INTO https_states (site_id, enabled, hsts, key_type, profile, status, last_error, failure_count, next_attempt_at, updated_at)
        SELECT site_id, true, hsts, key_type, profile, 'pending'::"HttpsStatus", NULL, 0, NULL, now() FROM settings
        ON CONFLICT (site_id) DO UPDATE SET enabled = true, hsts = EXCLUDED.hsts, key_type = EXCLUDED.key_type, profile = EXCLUDED.profile,
          status = 'pending', last_error = NULL, failure_count = 0, next_attempt_at = NULL, updated_at = now()
        RETURNING site_id, jsonb_build_object('enabled', enabled, 'hsts', hsts, 'keyType', key_type, 'profile', profile) AS changes
      ), audit AS (
        INSERT INTO audit_events (actor, actor_role, action, target_type, target_id, changes)
        SELECT ${actor.id}, ${actor.role}, 'https.enable', 'site', site_id::text, changes FROM state
      )
      INSERT INTO operations (id, kind, site_id, target_type, target_id, payload, actor)
      SELECT ${operationId}::uuid, 'https.enable', site_id, 'site', site_id::text, changes, ${actor.id} FROM state
      RETURNING id::text`);
  }

  requestDisable(actor: Actor, siteId: string, revoke: boolean): Promise<{ operationId: string }> {
    const changes = JSON.stringify({ revoke });
    return this.accept(actor, siteId, 'https.disable', (operationId, memberId) => this.prisma.$queryRaw<Array<{ id: string }>>`
      WITH site AS (
        SELECT id FROM sites WHERE id = ${siteId}::uuid AND (${memberId}::uuid IS NULL OR member_id = ${memberId}::uuid)
      ), state AS (
        INSERT INTO https_states (site_id, enabled, updated_at) SELECT id, false, now() FROM site
        ON CONFLICT (site_id) DO UPDATE SET enabled = false, updated_at = now()
        RETURNING site_id
      ), audit AS (
        INSERT INTO audit_events (actor, actor_role, action, target_type, target_id, changes)
        SELECT ${actor.id}, ${actor.role}, 'https.disable', 'site', site_id::text, ${changes}::jsonb FROM state
      )
      INSERT INTO operations (id, kind, site_id, target_type, target_id, payload, actor)
      SELECT ${operationId}::uuid, 'https.disable', site_id, 'site', site_id::text, ${changes}::jsonb, ${actor.id} FROM state
      RETURNING id::text`);
  }

  /** Runs the statement; no row means no such site (for this actor), the in-flight index means 409. */
  private async accept(
    actor: Actor,
    siteId: string,
    kind: OperationKind,
    statement: (operationId: string, memberId: string | null) => Promise<Array<{ id: string }>>,
  ): Promise<{ operationId: string }> {
    const operationId = randomUUID();
    let rows: Array<{ id: string }>;
    try {
      rows = await statement(operationId, this.access.scope(actor).memberId ?? null);
    } catch (error) {
      if (!isInFlightConflict(error)) throw error;
      const pending = await pendingHttpsOperation(this.prisma, siteId);
      throw AppException.conflict('an HTTPS operation is already in progress for this site', { operationId: pending });
    }
    if (rows.length === 0) throw AppException.notFound('site');
    await this.operations.enqueue({ id: operationId, kind });
    return { operationId };
  }
}
