import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { SiteApplyValue, SiteDesiredState } from '../../jobs/hosts.jobs.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { sealTo } from '../core/crypto/agent-keys.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { retryingConflicts } from '../core/database/deadlocks.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { Coalescer } from '../core/operations/coalescer.js';
import { HostUnavailableError, PermanentJobError } from '../core/operations/operation.errors.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import { HostsService } from '../hosts/hosts.service.js';

export type SiteApplyResult =
  | { siteId: string; ok: true; tls: boolean; siteKey: string; hostId: string }
  | { siteId: string; ok: false; error: string; missing?: true };

type LoadedSite = Awaited<ReturnType<WebServerService['load']>>[number];

interface Prepared {
  siteId: string;
  hostId: string;
  siteKey: string;
  state: SiteDesiredState;
}

/**
 * The control plane's view of a site's web server: renders the site's
 * desired state from its rows in Postgres, gives it a new revision, and sends
 * it (secrets sealed to that host's own key) to the agent of the host the
 * site is placed on, which writes the files and reloads its nginx. Calls made
 * at the same time share one read and one revision bump.
 */
@Injectable()
export class WebServerService {
  private readonly logger = new Logger(WebServerService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretsService,
    private readonly audit: AuditService,
    private readonly agents: AgentClient,
    private readonly hosts: HostsService,
  ) {}

  /** Renders and applies one site's vhost on its host (HTTP only, or HTTP + HTTPS once a certificate is current). */
  async apply(siteId: string, options: { forceReload?: boolean } = {}): Promise<SiteApplyResult> {
    const prepared = await this.revisions.push({ siteId, forceReload: options.forceReload ?? false });
    if (!prepared) return { siteId, ok: false, error: 'the site does not exist', missing: true };
    if (prepared instanceof HostUnavailableError) throw prepared;
    if ('error' in prepared) return { siteId, ok: false, error: prepared.error };
    const value = await this.agents.call<SiteApplyValue>(prepared.hostId, 'site.apply', prepared.state, { commandId: applyCommandId(prepared.state) });
    if (value.quarantined?.length) await this.reportQuarantine(value.quarantined);
    if (!value.ok) return { siteId, ok: false, error: value.error ?? 'the host could not apply the site' };
    return { siteId, ok: true, tls: value.tls, siteKey: prepared.siteKey, hostId: prepared.hostId };
  }

  /**
   * apply() for an operation's handler: the operation's site, which must
   * exist. An operation that names no site, or whose site is gone, fails for
   * good (no retry can help); nginx refusing the file is the caller's to word.
   */
  async applyOperationSite(operation: { id: string; siteId: string | null }): Promise<Exclude<SiteApplyResult, { missing: true }>> {
    if (!operation.siteId) throw new PermanentJobError(`operation ${operation.id} names no site`);
    const applied = await this.apply(operation.siteId);
    if (!applied.ok && applied.missing) throw new PermanentJobError('the site no longer exists');
    return applied;
  }

  /**
   * Like apply(), but answers at once when the host already has the site's
   * current desired state in force: confirming that costs no round trip.
   */
  async ensureApplied(siteId: string): Promise<SiteApplyResult> {
    const [site] = await this.load([siteId]);
    if (site && site.appliedRevision === site.desiredRevision && site.desiredHash !== null) {
      // the hash leaves the sealed secrets out, so nothing is decrypted or sealed just to compare
      const { state } = this.render(site, site.desiredRevision, () => '');
      if (hashOf(site, state) === site.desiredHash) {
        return { siteId, ok: true, tls: state.tls !== undefined, siteKey: site.primaryDomain, hostId: site.hostId };
      }
    }
    return this.apply(siteId);
  }

  /**
   * Renders the site again and has its host reload even when its file looks
   * unchanged: a reload that never happened leaves the right file on disk and
   * the old certificate in nginx's memory.
   */
  repair(siteId: string): Promise<SiteApplyResult> {
    return this.apply(siteId, { forceReload: true });
  }

  applyMany(siteIds: string[]): Promise<SiteApplyResult[]> {
    return Promise.all([...new Set(siteIds)].map((siteId) => this.apply(siteId)));
  }

  /** The reconcile: sends each site's current revision again, without waiting (the answers update Postgres). */
  async resend(siteIds: string[]): Promise<void> {
    const sites = await this.load(siteIds);
    await this.prisma.site.updateMany({ where: { id: { in: sites.map(({ id }) => id) } }, data: { sentAt: new Date() } });
    await Promise.all(
      sites.map(async (site) => {
        const prepared = await this.prepare(site, site.desiredRevision).catch((error: Error) => {
          this.logger.warn(`site ${site.id} cannot be rendered for its host: ${error.message}`);
          return undefined;
        });
        if (prepared) await this.agents.post(site.hostId, 'site.apply', prepared.state, applyCommandId(prepared.state));
      }),
    );
  }

  /**
   * One read and one revision bump for every apply asked for at the same
   * time. Sites whose host is away get no new revision (nothing could take
   * it): their callers are told to wait for the host.
   */
  private readonly revisions = new Coalescer<{ siteId: string; forceReload: boolean }, Prepared | HostUnavailableError | { error: string } | undefined>(async (asks) => {
    const away = await this.awayHosts([...new Set(asks.map(({ siteId }) => siteId))]);
    const ids = [...new Set(asks.map(({ siteId }) => siteId))].filter((id) => !away.has(id)).sort();
    // the bump comes first and the read after it: a state read after its revision was taken is never older than a lower revision's
    const bumped = await retryingConflicts(() => this.prisma.$queryRaw<Array<{ id: string; revision: number }>>`
      UPDATE sites SET desired_revision = desired_revision + 1, sent_at = now()
      WHERE id = ANY(${ids}::uuid[]) RETURNING id::text AS id, desired_revision AS revision`);
    const revisionOf = new Map(bumped.map(({ id, revision }) => [id, revision]));
    const sites = new Map((await this.load(ids)).map((site) => [site.id, site]));
    const prepared = new Map<string, Prepared | { error: string }>();
    const hashes: Array<{ id: string; hash: string }> = [];
    for (const id of ids) {
      const site = sites.get(id);
      const revision = revisionOf.get(id);
      if (!site || revision === undefined) continue;
      try {
        const entry = await this.prepare(site, revision);
        prepared.set(id, entry);
        hashes.push({ id, hash: hashOf(site, entry.state) });
      } catch (error) {
        prepared.set(id, { error: (error as Error).message });
      }
    }
    if (hashes.length > 0) {
      await retryingConflicts(() => this.prisma.$executeRaw`
        UPDATE sites SET desired_hash = input.hash
        FROM jsonb_to_recordset(${JSON.stringify(hashes)}::jsonb) AS input(id uuid, hash text) WHERE sites.id = input.id`);
    }
    return asks.map(({ siteId, forceReload }) => {
      const unavailable = away.get(siteId);
      if (unavailable) return unavailable;
      const entry = prepared.get(siteId);
      if (!entry || 'error' in entry || !forceReload) return entry;
      return { ...entry, state: { ...entry.state, forceReload: true } };
    });
  });

  /** The sites (of those given) whose host cannot take a new state now, each with the reason. */
  private async awayHosts(siteIds: string[]): Promise<Map<string, HostUnavailableError>> {
    const sites = await this.prisma.site.findMany({ where: { id: { in: siteIds } }, select: { id: true, hostId: true } });
    const away = new Map<string, HostUnavailableError>();
    const checked = new Map<string, HostUnavailableError | undefined>();
    for (const { id, hostId } of sites) {
      if (!checked.has(hostId)) {
        checked.set(
          hostId,
          await this.hosts.requireOnline(hostId).then(
            () => undefined,
            (error: unknown) => (error instanceof HostUnavailableError ? error : undefined),
          ),
        );
      }
      const reason = checked.get(hostId);
      if (reason) away.set(id, reason);
    }
    return away;
  }

  private load(siteIds: string[]) {
    return this.prisma.site.findMany({
      where: { id: { in: siteIds } },
      include: {
        host: { select: { id: true, sealPublicKey: true } },
        https: { select: { enabled: true, hsts: true } },
        logging: { select: { mode: true } },
        defence: { select: { level: true, exemptPaths: true, shieldRanges: true, passKeyEncrypted: true } },
        certificates: { where: { current: true }, orderBy: { createdAt: 'desc' }, take: 1, select: { chainPem: true, keyEncrypted: true, serial: true } },
      },
    });
  }

  /** The desired state; the certificate key and the pass key sealed to the host's own key, never sent in the clear. */
  private async prepare(site: LoadedSite, revision: number): Promise<Prepared> {
    const sealKey = site.host.sealPublicKey;
    return this.render(site, revision, (encrypted) => {
      if (!sealKey) throw noAgentKey(site.hostId);
      return sealTo(sealKey, this.secrets.decrypt(encrypted));
    });
  }

  /** The desired state with each secret passed through `seal` (which may throw). */
  private render(site: LoadedSite, revision: number, seal: (encrypted: string) => string): Prepared {
    const certificate = site.https?.enabled ? site.certificates[0] : undefined;
    const defence = site.defence;
    const state: SiteDesiredState = {
      siteId: site.id,
      siteKey: site.primaryDomain,
      domains: site.domains,
      revision,
      loggingMode: site.logging?.mode ?? 'off',
      ...(certificate
        ? { tls: { chainPem: certificate.chainPem, keySealed: seal(certificate.keyEncrypted), serial: certificate.serial ?? '0', hsts: site.https?.hsts ?? false } }
        : {}),
      ...(defence
        ? {
            defence: {
              level: defence.level,
              exemptPaths: defence.exemptPaths,
              shieldRanges: defence.shieldRanges,
              ...(defence.level === 'challenge' && defence.passKeyEncrypted ? { passKeySealed: seal(defence.passKeyEncrypted) } : {}),
            },
          }
        : {}),
    };
    return { siteId: site.id, hostId: site.hostId, siteKey: site.primaryDomain, state };
  }

  /**
   * A hand-broken site file was moved aside on its host so the others could
   * still be applied. It is recorded, shown on the site's HTTPS posture, and
   * the site is rendered again from its records.
   */
  private async reportQuarantine(quarantined: NonNullable<SiteApplyValue['quarantined']>): Promise<void> {
    const keys = quarantined.flatMap(({ siteKey }) => (siteKey ? [siteKey] : []));
    const sites = await this.prisma.site.findMany({ where: { primaryDomain: { in: keys } }, select: { id: true, primaryDomain: true } });
    for (const entry of quarantined) {
      const site = sites.find(({ primaryDomain }) => primaryDomain === entry.siteKey);
      const message = `nginx rejected the file ${entry.file} (edited by hand?); it was moved to ${entry.movedTo} and the site re-rendered from its records. nginx said: ${entry.nginxMessage}`;
      this.logger.warn(message);
      await this.prisma.$transaction(async (tx) => {
        await this.audit.record(
          SYSTEM_ACTOR,
          { action: 'nginx.quarantine', targetType: 'site', targetId: site?.id, changes: { file: entry.file, movedTo: entry.movedTo, nginxMessage: entry.nginxMessage } },
          tx,
        );
        if (site) await tx.httpsState.updateMany({ where: { siteId: site.id }, data: { lastError: message } });
      });
    }
    if (sites.length > 0) void this.applyMany(sites.map(({ id }) => id)).catch(() => undefined);
  }
}

function noAgentKey(hostId: string): Error {
  return new Error(`host ${hostId} has no agent key yet: run \`npm run host:credentials -- --host ${hostId}\` and start its agent`);
}

function applyCommandId(state: SiteDesiredState): string {
  return `apply-${state.siteId}-${state.revision}${state.forceReload ? '-reload' : ''}`;
}

/** What the state says, without the revision or the sealed secrets (sealing is randomised); the certificate by serial. */
function hashOf(site: LoadedSite, state: SiteDesiredState): string {
  const { revision: _revision, forceReload: _force, tls, defence, ...rest } = state;
  const stable = {
    ...rest,
    hostKey: site.host.sealPublicKey,
    tls: tls ? { serial: tls.serial, hsts: tls.hsts, chain: createHash('sha256').update(tls.chainPem).digest('hex') } : null,
    defence: defence ? { ...defence, passKeySealed: site.defence?.passKeyEncrypted ? createHash('sha256').update(site.defence.passKeyEncrypted).digest('hex') : null } : null,
  };
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}
