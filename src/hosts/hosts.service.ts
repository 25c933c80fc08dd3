import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import { HostUnavailableError } from '../core/operations/operation.errors.js';
import { hostStatus, HostStatus, offlineSince } from './host-status.js';

export interface HostView {
  id: string;
  name: string;
  status: HostStatus;
  lastSeenAt?: Date;
  agentVersion?: string;
  defaultProfile?: string;
  siteCount: number;
  /** sum of its sites' desired revisions; equal to appliedRevision when the host has everything */
  desiredRevision: number;
  appliedRevision: number;
  /** sites whose applied revision is behind */
  lagging: number;
}

export interface HostRow {
  id: string;
  name: string;
  sealPublicKey: string | null;
  signPublicKey: string | null;
  lastSeenAt: Date | null;
  stoppedAt: Date | null;
}

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
const CACHE_MS = 1_000;

/** Web hosts as records: registration, liveness, placement of new sites. */
@Injectable()
export class HostsService {
  private cache = new Map<string, { row: HostRow; at: number }>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, name: string): Promise<HostView> {
    if (typeof name !== 'string' || !HOST_NAME.test(name)) {
      throw AppException.invalid('invalid host name', [{ field: 'name', problems: ['1-63 letters, digits, dots or dashes, starting with a letter or digit'] }]);
    }
    const host = await this.prisma
      .$transaction(async (tx) => {
        const row = await tx.host.create({ data: { name } });
        await this.audit.record(actor, { action: 'host.create', targetType: 'host', targetId: row.id, changes: { name } }, tx);
        return row;
      })
      .catch((error: { code?: string }) => {
        if (error.code === 'P2002') throw AppException.conflict('a host with this name exists', { name });
        throw error;
      });
    return (await this.views([host.id]))[0];
  }

  async update(actor: Actor, id: string, changes: { defaultProfile?: string | null }): Promise<HostView> {
    await this.prisma
      .$transaction(async (tx) => {
        await tx.host.update({ where: { id }, data: changes });
        await this.audit.record(actor, { action: 'host.update', targetType: 'host', targetId: id, changes }, tx);
      })
      .catch((error: { code?: string }) => {
        if (error.code === 'P2025') throw AppException.notFound('host');
        throw error;
      });
    return this.get(id);
  }

  async list(): Promise<{ items: HostView[] }> {
    const rows = await this.prisma.host.findMany({ select: { id: true }, orderBy: { name: 'asc' } });
    return { items: await this.views(rows.map(({ id }) => id)) };
  }

  async get(id: string): Promise<HostView> {
    const [view] = /^[0-9a-f-]{36}$/i.test(id) ? await this.views([id]) : [];
    if (!view) throw AppException.notFound('host');
    return view;
  }

  /** A host row, cached for a second: every command to an agent asks. */
  async row(hostId: string): Promise<HostRow> {
    const row = await this.find(hostId);
    if (!row) throw new Error(`no host ${hostId}`);
    return row;
  }

  /** row(), but undefined when there is no such host; a database that cannot answer still throws. */
  async find(hostId: string): Promise<HostRow | undefined> {
    const cached = this.cache.get(hostId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.row;
    const row = await this.prisma.host.findUnique({
      where: { id: hostId },
      select: { id: true, name: true, sealPublicKey: true, signPublicKey: true, lastSeenAt: true, stoppedAt: true },
    });
    if (row) this.cache.set(hostId, { row, at: Date.now() });
    return row ?? undefined;
  }

  forget(hostId: string): void {
    this.cache.delete(hostId);
  }

  status(row: HostRow): HostStatus {
    return hostStatus(row, this.config.fleet.offlineAfterMs);
  }

  /** Throws HostUnavailableError unless the host's agent is online and can be sent secrets. */
  async requireOnline(hostId: string): Promise<HostRow> {
    const row = await this.row(hostId);
    if (this.status(row) !== 'online' || !row.sealPublicKey) throw new HostUnavailableError(row.name, offlineSince(row));
    return row;
  }

  /**
   * Where a new site goes: the host asked for, or the healthy host with the
   * fewest sites. With no healthy host, the one with the fewest sites (its
   * operations wait for it); with no host at all, this install's own.
   */
  async place(hostId?: string): Promise<string> {
    if (hostId) {
      const found = /^[0-9a-f-]{36}$/i.test(hostId) ? await this.prisma.host.findUnique({ where: { id: hostId }, select: { id: true } }) : null;
      if (!found) throw AppException.invalid('no such host', [{ field: 'hostId', problems: ['no host has this id'] }]);
      return found.id;
    }
    const rows = await this.prisma.$queryRaw<Array<{ id: string; lastSeenAt: Date | null; stoppedAt: Date | null; sites: number }>>`
      SELECT h.id::text AS id, h.last_seen_at AS "lastSeenAt", h.stopped_at AS "stoppedAt", count(s.id)::int AS sites
      FROM hosts h LEFT JOIN sites s ON s.host_id = h.id
      GROUP BY h.id ORDER BY count(s.id), h.created_at`;
    const online = rows.find((row) => hostStatus(row, this.config.fleet.offlineAfterMs) === 'online');
    if (online) return online.id;
    if (rows.length > 0) return rows[0].id;
    const own = await this.prisma.host.upsert({ where: { name: this.config.fleet.localHostName }, create: { name: this.config.fleet.localHostName }, update: {}, select: { id: true } });
    return own.id;
  }

  private async views(ids: string[]): Promise<HostView[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.$queryRaw<
      Array<{ id: string; name: string; lastSeenAt: Date | null; stoppedAt: Date | null; agentVersion: string | null; defaultProfile: string | null; siteCount: number; desired: number; applied: number; lagging: number }>
    >`
      SELECT h.id::text AS id, h.name, h.last_seen_at AS "lastSeenAt", h.stopped_at AS "stoppedAt", h.agent_version AS "agentVersion", h.default_profile AS "defaultProfile",
             count(s.id)::int AS "siteCount",
             COALESCE(sum(s.desired_revision), 0)::int AS desired,
             COALESCE(sum(s.applied_revision), 0)::int AS applied,
             count(s.id) FILTER (WHERE s.applied_revision < s.desired_revision)::int AS lagging
      FROM hosts h LEFT JOIN sites s ON s.host_id = h.id
      WHERE h.id = ANY(${ids}::uuid[])
      GROUP BY h.id ORDER BY h.name`;
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      status: hostStatus(row, this.config.fleet.offlineAfterMs),
      ...(row.lastSeenAt ? { lastSeenAt: row.lastSeenAt } : {}),
      ...(row.agentVersion ? { agentVersion: row.agentVersion } : {}),
      ...(row.defaultProfile ? { defaultProfile: row.defaultProfile } : {}),
      siteCount: row.siteCount,
      desiredRevision: row.desired,
      appliedRevision: row.applied,
      lagging: row.lagging,
    }));
  }
}
