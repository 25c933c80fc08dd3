import { Injectable, Logger } from '@nestjs/common';
import type { RestoreSecrets } from '../../jobs/catalog.js';
import type {
  AgentCommand,
  BackupCheckCommand,
  BackupDeleteCommand,
  BackupPruneCommand,
  BackupRestoreCommand,
  BackupRunCommand,
  BackupSiteRef,
  BackupValue,
  ProviderSecret,
} from '../../jobs/hosts.jobs.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { sealTo } from '../core/crypto/agent-keys.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { HostUnavailableError, PermanentJobError } from '../core/operations/operation.errors.js';
import type { RunnableOperation } from '../core/operations/operation-runner.service.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import { HostsService } from '../hosts/hosts.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { WebServerService } from '../web/web-server.service.js';
import { backupFailedAlert } from './backup-alerts.js';
import { BackupQuota } from './backup-quota.service.js';
import { BackupStorage } from './backup-storage.service.js';
import { isArchiveId } from './member-custody.service.js';
import type { KeepRules } from './retention.js';

/** A backup, restore or drill may take long (hook, first backup of a big site): the control plane waits this long for the agent. */
const LONG_COMMAND_MS = 6 * 3600_000;

export type Trigger = 'manual' | 'scheduled';

/** What a restore operation's row holds: never the member's key, which comes with the job (RestoreSecrets). */
export interface RestorePayload {
  snapshotId: string;
}

/** What a move operation's row holds. */
export interface MovePayload {
  fromHostId: string;
  toHostId: string;
}

/** Said when the key was held only by processes or a Redis that have since restarted. */
export const KEY_GONE = 'the member private key was held only in memory and is gone (a restart in between): send the key again with a new restore request';

type RunKind = 'backup' | 'restore' | 'check' | 'drill';

interface LoadedSite {
  id: string;
  memberId: string;
  hostId: string;
  primaryDomain: string;
  contactEmail: string;
  policy: {
    enabled: boolean;
    keyCustody: 'provider' | 'member';
    memberPublicKey: string | null;
    preBackupHook: string[];
    keepDaily: number;
    keepWeekly: number;
    keepMonthly: number;
  } | null;
}

/** The work behind every backups job; each run is recorded in BackupRun. */
/** What a run row says when the process running it died before it could record the outcome. */
const INTERRUPTED = 'Interrupted: the process running it stopped before it finished; it was started again.';

@Injectable()
export class BackupJobs {
  private readonly logger = new Logger(BackupJobs.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretsService,
    private readonly audit: AuditService,
    private readonly storage: BackupStorage,
    private readonly agents: AgentClient,
    private readonly hosts: HostsService,
    private readonly mailer: MailerService,
    private readonly quota: BackupQuota,
    private readonly web: WebServerService,
  ) {}

  /**
   * Retention is not part of a backup: it runs once a day per repository
   * (backups.retention), so a backup starts restic exactly once.
   * `lastAttempt`: whether a failure is final, and so alerted.
   */
  async runBackup(siteId: string, trigger: Trigger, lastAttempt = true): Promise<'succeeded' | 'skipped'> {
    const site = await this.loadSite(siteId);
    const policy = site?.policy;
    if (!site || !policy?.enabled) {
      if (trigger === 'scheduled') return 'skipped';
      throw new PermanentJobError('backups are not enabled for this site');
    }
    if (trigger === 'scheduled' && (await this.storeIsFull(site))) return 'skipped';
    await this.recorded(
      site,
      'backup',
      policy.keyCustody,
      async (seal) => {
        const result = await this.backupWith(site, policy, seal);
        await this.prisma.backupPolicy.update({ where: { siteId }, data: { lastSuccessAt: new Date() } });
        return result;
      },
      lastAttempt,
    );
    return 'succeeded';
  }

  /** A scheduled run over quota is skipped, and the member and staff told (once a day), rather than filling the disk. */
  private async storeIsFull(site: LoadedSite): Promise<boolean> {
    const full = await this.quota.exceeded(site.memberId);
    if (full) await this.quota.alert(site, full);
    return full !== undefined;
  }

  /** Every enabled site of the member, each by its own keep rules; provider-custody sites share one prune of the member's repository. */
  async applyRetention(memberId: string): Promise<{ removed: number }> {
    const policies = await this.prisma.backupPolicy.findMany({ where: { enabled: true, site: { memberId } } });
    const rulesOf = (p: (typeof policies)[number]): KeepRules => ({ keepDaily: p.keepDaily, keepWeekly: p.keepWeekly, keepMonthly: p.keepMonthly });
    const sites = await this.prisma.site.findMany({ where: { id: { in: policies.map((p) => p.siteId) } }, select: { id: true, hostId: true } });
    const hostOf = new Map(sites.map((site) => [site.id, site.hostId]));
    const password = await this.storage.existingPasswordOf(memberId);
    const removed: string[] = [];
    // each host prunes what lies on its own BACKUP_TARGET; one host offline or failing leaves the others' retention done and recorded
    let failure: Error | undefined;
    for (const hostId of [...new Set(hostOf.values())]) {
      const here = policies.filter((p) => hostOf.get(p.siteId) === hostId);
      const providerSites = here.filter((p) => p.keyCustody === 'provider').map((p) => ({ siteId: p.siteId, rules: rulesOf(p) }));
      const memberSites = here.filter((p) => p.keyCustody === 'member').map((p) => ({ siteId: p.siteId, rules: rulesOf(p) }));
      try {
        const host = await this.hosts.requireOnline(hostId);
        const command: BackupPruneCommand = { memberId, providerSites, memberSites, ...(password ? { provider: { passwordSealed: sealTo(host.sealPublicKey!, password) } } : {}) };
        removed.push(...(await this.agents.call<{ removed: string[] }>(hostId, 'backup.prune', command, { timeoutMs: LONG_COMMAND_MS })).removed);
      } catch (error) {
        failure ??= error as Error;
      }
    }
    if (removed.length > 0) {
      await this.prisma.backupRun.updateMany({ where: { snapshotId: { in: removed }, site: { memberId }, deletedAt: null }, data: { deletedAt: new Date() } });
    }
    if (failure) throw failure;
    return { removed: removed.length };
  }

  async restore(operation: RunnableOperation, secrets: RestoreSecrets): Promise<void> {
    const payload = operation.payload as RestorePayload;
    const site = await this.requireSite(operation.siteId);
    const custody = isArchiveId(payload.snapshotId) ? 'member' : 'provider';
    await this.recorded(site, 'restore', custody, async (seal) => {
      const command: BackupRestoreCommand = { site: siteRef(site), snapshotId: payload.snapshotId };
      if (custody === 'provider') command.provider = await this.providerSecret(site, seal, false);
      else {
        if (!secrets.sealedPrivateKey) throw new PermanentJobError(KEY_GONE);
        // from SECRETS_KEY (the job's Redis data) to the agent's own key, without touching a disk on the way
        command.member = {
          privateKeySealed: seal(this.secrets.decrypt(secrets.sealedPrivateKey)),
          ...(secrets.sealedPassphrase ? { passphraseSealed: seal(this.secrets.decrypt(secrets.sealedPassphrase)) } : {}),
          signingPublicKey: (await this.storage.signingKey()).publicKey,
        };
      }
      await this.call(site, 'backup.restore', command);
      return { snapshotId: payload.snapshotId };
    });
  }

  /**
   * Each step can run again: until serving switches, the content is copied
   * afresh (backup on the old host, restore on the new); once the site points
   * at the new host, only the apply there and the removal from the old host
   * are left, and both are idempotent.
   */
  async move(operation: RunnableOperation): Promise<void> {
    const { fromHostId, toHostId } = operation.payload as MovePayload;
    const site = await this.requireSite(operation.siteId);
    if (site.hostId !== fromHostId && site.hostId !== toHostId) throw new PermanentJobError('the site was placed elsewhere meanwhile');
    if (site.hostId === fromHostId) {
      const from = await this.hosts.requireOnline(fromHostId);
      const to = await this.hosts.requireOnline(toHostId);
      const password = await this.storage.passwordOf(site.memberId);
      // the snapshot that carries the content is a backup like any other: listed, kept by the retention rules, restorable
      const copied = await this.recorded(site, 'backup', 'provider', (seal) => {
        const backup: BackupRunCommand = { site: siteRef(site), hook: site.policy?.preBackupHook ?? [], provider: { passwordSealed: seal(password) } };
        return this.agents.call<BackupValue>(fromHostId, 'backup.run', backup, { timeoutMs: LONG_COMMAND_MS });
      });
      const restore: BackupRestoreCommand = { site: siteRef(site), snapshotId: copied.snapshotId!, provider: { passwordSealed: sealTo(to.sealPublicKey!, password) } };
      await this.agents.call(toHostId, 'backup.restore', restore, { timeoutMs: LONG_COMMAND_MS }).catch((error: Error) => {
        if (error instanceof HostUnavailableError) throw error;
        throw new Error(`host ${to.name} could not restore the snapshot host ${from.name} made (do both reach the same BACKUP_TARGET?): ${error.message}`);
      });
      await this.prisma.site.update({ where: { id: site.id }, data: { hostId: toHostId } });
    }
    // certificate, logging mode, defence: the desired state from Postgres, sealed to the new host
    const applied = await this.web.apply(site.id);
    if (!applied.ok) throw new Error(`the new host could not serve the site: ${applied.error}`);
    const removed = await this.agents.call<{ removed: string[] }>(fromHostId, 'site.remove', { siteId: site.id, siteKey: site.primaryDomain });
    await this.audit.record({ id: operation.actor, role: 'system' }, { action: 'sites.moved', targetType: 'site', targetId: site.id, changes: { fromHostId, toHostId, removedFromOldHost: removed.removed, operationId: operation.id } });
  }

  async deleteAll(operation: RunnableOperation): Promise<void> {
    const site = await this.requireSite(operation.siteId);
    const host = await this.hosts.requireOnline(site.hostId);
    const seal = (plaintext: string) => sealTo(host.sealPublicKey!, plaintext);
    const command: BackupDeleteCommand = { site: siteRef(site), provider: await this.providerSecret(site, seal, false) };
    const deleted = await this.call<{ items: string[]; bytes: number }>(site, 'backup.delete', command);
    const actor: Actor = { id: operation.actor, role: 'system' };
    const items = deleted.items;
    await this.prisma.$transaction(async (tx) => {
      await tx.attestation.create({
        data: { siteId: site.id, kind: 'backup-deletion', requestedBy: operation.actor, files: items, fileCount: items.length, bytes: BigInt(deleted.bytes) },
      });
      await tx.backupRun.updateMany({ where: { siteId: site.id, kind: 'backup', deletedAt: null }, data: { deletedAt: new Date() } });
      await this.audit.record(actor, { action: 'backups.delete', targetType: 'site', targetId: site.id, changes: { deleted: items.length, operationId: operation.id } }, tx);
    });
  }

  async check(siteId: string): Promise<void> {
    const site = await this.requireSite(siteId);
    const custody = site.policy?.keyCustody ?? 'provider';
    await this.recorded(site, 'check', custody, async (seal) => this.call<BackupValue>(site, 'backup.check', await this.checkCommand(site, custody, seal)));
  }

  async drill(siteId: string): Promise<void> {
    const site = await this.requireSite(siteId);
    const custody = site.policy?.keyCustody ?? 'provider';
    await this.recorded(site, 'drill', custody, async (seal) => {
      const result = await this.call<BackupValue>(site, 'backup.drill', await this.checkCommand(site, custody, seal));
      if (custody === 'member') await this.assertArchiveSize(site, result);
      return result;
    });
  }

  /** Sites whose policy is enabled: the periodic check and drill fan out over them. */
  async enabledSiteIds(): Promise<string[]> {
    const rows = await this.prisma.backupPolicy.findMany({ where: { enabled: true }, select: { siteId: true } });
    return rows.map((r) => r.siteId);
  }

  /** Members with at least one enabled site: retention fans out over them, one repository each. */
  async enabledMemberIds(): Promise<string[]> {
    const rows = await this.prisma.site.findMany({ where: { backupPolicy: { enabled: true } }, select: { memberId: true }, distinct: ['memberId'] });
    return rows.map((r) => r.memberId);
  }

  /** Member drill: the archive on the host is the size the backup wrote (its signature the agent checked). */
  private async assertArchiveSize(site: LoadedSite, result: BackupValue): Promise<void> {
    const run = await this.prisma.backupRun.findFirst({ where: { siteId: site.id, snapshotId: result.snapshotId, kind: 'backup' } });
    if (run?.totalBytes != null && Number(run.totalBytes) !== result.totalBytes) {
      throw new Error(`archive ${result.snapshotId} is ${result.totalBytes} bytes, the backup wrote ${run.totalBytes}`);
    }
  }

  private async backupWith(site: LoadedSite, policy: NonNullable<LoadedSite['policy']>, seal: Seal): Promise<BackupValue> {
    const command: BackupRunCommand = { site: siteRef(site), hook: policy.preBackupHook };
    if (policy.keyCustody === 'provider') command.provider = await this.providerSecret(site, seal, true);
    else {
      if (!policy.memberPublicKey) throw new PermanentJobError('member custody without a public key');
      command.member = { publicKey: policy.memberPublicKey, signingKeySealed: seal((await this.storage.signingKey()).privateKey) };
    }
    return this.call<BackupValue>(site, 'backup.run', command);
  }

  private async checkCommand(site: LoadedSite, custody: 'provider' | 'member', seal: Seal): Promise<BackupCheckCommand> {
    if (custody === 'provider') return { site: siteRef(site), custody, provider: await this.providerSecret(site, seal, false) };
    return { site: siteRef(site), custody, signingPublicKey: (await this.storage.signingKey()).publicKey };
  }

  /** The member repository's password sealed to the site's agent; `create`: a first backup makes the repository. */
  private async providerSecret(site: LoadedSite, seal: Seal, create: boolean): Promise<ProviderSecret> {
    const password = create ? await this.storage.passwordOf(site.memberId) : await this.storage.existingPasswordOf(site.memberId);
    return password === undefined ? {} : { passwordSealed: seal(password) };
  }

  private call<T>(site: LoadedSite, command: AgentCommand, data: unknown): Promise<T> {
    return this.agents.call<T>(site.hostId, command, data, { timeoutMs: LONG_COMMAND_MS });
  }

  /**
   * Writes the BackupRun row around `work`: running, then succeeded with its figures or failed with its error.
   * A final failure of a backup, check or drill is mailed to staff and the member; a restore's requester watches its operation.
   */
  private async recorded(
    site: LoadedSite,
    kind: RunKind,
    custody: 'provider' | 'member',
    work: (seal: Seal) => Promise<BackupValue>,
    lastAttempt = true,
  ): Promise<BackupValue> {
    // an offline host makes the work wait (an operation says so); it is not a run that failed
    const host = await this.hosts.requireOnline(site.hostId);
    const seal: Seal = (plaintext) => sealTo(host.sealPublicKey!, plaintext);
    const started = Date.now();
    // A worker killed mid-run leaves its row "running" for ever; the next run of the same kind on the
    // site (its retry, usually) says what became of it. A run that is in fact still going writes its own outcome over this.
    await this.prisma.backupRun.updateMany({
      where: { siteId: site.id, kind, status: 'running' },
      data: { status: 'failed', error: INTERRUPTED, finishedAt: new Date() },
    });
    const run = await this.prisma.backupRun.create({ data: { siteId: site.id, kind, custody } });
    try {
      const result = await work(seal);
      await this.prisma.backupRun.update({
        where: { id: run.id },
        data: {
          status: 'succeeded',
          error: null,
          snapshotId: result.snapshotId ?? null,
          archivePath: result.archivePath ?? null,
          files: result.files ?? null,
          bytesAdded: result.bytesAdded !== undefined ? BigInt(result.bytesAdded) : null,
          totalBytes: result.totalBytes !== undefined ? BigInt(result.totalBytes) : null,
          durationMs: Date.now() - started,
          finishedAt: new Date(),
        },
      });
      return result;
    } catch (error) {
      if (error instanceof HostUnavailableError) {
        await this.prisma.backupRun.delete({ where: { id: run.id } });
        throw error;
      }
      const message = (error as Error).message.slice(0, 2000);
      await this.prisma.backupRun.update({ where: { id: run.id }, data: { status: 'failed', error: message, durationMs: Date.now() - started, finishedAt: new Date() } });
      this.logger.error(`${kind} of site ${site.id} failed: ${message}`);
      if (kind !== 'restore' && (lastAttempt || error instanceof PermanentJobError)) await this.mailer.send(backupFailedAlert(site, kind, message));
      throw error;
    }
  }

  private async requireSite(siteId: string | null): Promise<LoadedSite> {
    const site = siteId ? await this.loadSite(siteId) : null;
    if (!site) throw new PermanentJobError('site not found');
    return site;
  }

  private async loadSite(siteId: string): Promise<LoadedSite | null> {
    const site = await this.prisma.site.findUnique({ where: { id: siteId }, include: { backupPolicy: true, member: { select: { contactEmail: true } } } });
    if (!site) return null;
    return {
      id: site.id,
      memberId: site.memberId,
      hostId: site.hostId,
      primaryDomain: site.primaryDomain,
      contactEmail: site.member.contactEmail,
      policy: site.backupPolicy,
    };
  }
}

type Seal = (plaintext: string) => string;

function siteRef(site: LoadedSite): BackupSiteRef {
  return { siteId: site.id, memberId: site.memberId, siteKey: site.primaryDomain };
}
