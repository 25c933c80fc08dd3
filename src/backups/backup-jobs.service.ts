import { promises as fs } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RestoreSecrets } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PgpKeyError, PgpMessageError } from '../core/adapters/pgp.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import type { RunnableOperation } from '../core/operations/operation-runner.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { backupFailedAlert } from './backup-alerts.js';
import { BackupQuota } from './backup-quota.service.js';
import { backupPriority } from './backup.providers.js';
import { assertContainedDocumentRoot } from './document-root.guard.js';
import { FolderSwap } from './folder-swap.js';
import { ArchiveNotFound, ArchiveTampered, isArchiveId, MemberCustody } from './member-custody.service.js';
import { BackupResult, ProviderCustody, SiteRef, SnapshotNotFound } from './provider-custody.service.js';
import type { KeepRules } from './retention.js';

const HOOK_TIMEOUT_MS = 15 * 60_000;

export type Trigger = 'manual' | 'scheduled';

/** What a restore operation's row holds: never the member's key, which comes with the job (RestoreSecrets). */
export interface RestorePayload {
  snapshotId: string;
}

/** Said when the key was held only by processes or a Redis that have since restarted. */
export const KEY_GONE = 'the member private key was held only in memory and is gone (a restart in between): send the key again with a new restore request';

type RunKind = 'backup' | 'restore' | 'check' | 'drill';

interface LoadedSite extends SiteRef {
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
    private readonly processes: ProcessRunner,
    private readonly provider: ProviderCustody,
    private readonly member: MemberCustody,
    private readonly mailer: MailerService,
    private readonly quota: BackupQuota,
    private readonly swaps: FolderSwap,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
      async () => {
        await assertContainedDocumentRoot(site.documentRoot, this.config.sitesRoot);
        await this.runHook(site, policy.preBackupHook);
        const result = await this.backupWith(site, policy);
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
    const providerSites = policies.filter((p) => p.keyCustody === 'provider').map((p) => ({ siteId: p.siteId, rules: rulesOf(p) }));
    const removed = await this.provider.prune(memberId, providerSites);
    for (const policy of policies.filter((p) => p.keyCustody === 'member')) removed.push(...(await this.member.prune(policy.siteId, rulesOf(policy))));
    if (removed.length > 0) {
      await this.prisma.backupRun.updateMany({ where: { snapshotId: { in: removed }, site: { memberId }, deletedAt: null }, data: { deletedAt: new Date() } });
    }
    return { removed: removed.length };
  }

  async restore(operation: RunnableOperation, secrets: RestoreSecrets): Promise<void> {
    const payload = operation.payload as RestorePayload;
    const site = await this.requireSite(operation.siteId);
    const custody = isArchiveId(payload.snapshotId) ? 'member' : 'provider';
    await this.recorded(site, 'restore', custody, async () => {
      const staged = await this.swaps.stage(site.documentRoot, 'restore');
      try {
        await this.restoreInto(site, payload.snapshotId, secrets, staged.replacement);
        await this.swaps.swap(staged);
      } catch (error) {
        await this.swaps.discard(staged);
        throw permanentIfHopeless(error);
      }
      return { snapshotId: payload.snapshotId };
    });
  }

  async deleteAll(operation: RunnableOperation): Promise<void> {
    const site = await this.requireSite(operation.siteId);
    const provider = await this.provider.deleteAll(site);
    const member = await this.member.deleteAll(site.id);
    const actor: Actor = { id: operation.actor, role: 'system' };
    const items = [...provider.items.map((id) => `restic snapshot ${id}`), ...member.items];
    await this.prisma.$transaction(async (tx) => {
      await tx.attestation.create({
        data: { siteId: site.id, kind: 'backup-deletion', requestedBy: operation.actor, files: items, fileCount: items.length, bytes: BigInt(provider.bytes + member.bytes) },
      });
      await tx.backupRun.updateMany({ where: { siteId: site.id, kind: 'backup', deletedAt: null }, data: { deletedAt: new Date() } });
      await this.audit.record(actor, { action: 'backups.delete', targetType: 'site', targetId: site.id, changes: { deleted: items.length, operationId: operation.id } }, tx);
    });
  }

  async check(siteId: string): Promise<void> {
    const site = await this.requireSite(siteId);
    const custody = site.policy?.keyCustody ?? 'provider';
    await this.recorded(site, 'check', custody, async () => {
      if (custody === 'provider') {
        await this.provider.check(site);
        return {};
      }
      const archives = await this.member.list(site.id);
      const bad: string[] = [];
      for (const archive of archives) if (!(await this.member.verify(archive))) bad.push(archive.id);
      if (bad.length) throw new Error(`signature check failed for ${bad.join(', ')}`);
      return { files: archives.length };
    });
  }

  async drill(siteId: string): Promise<void> {
    const site = await this.requireSite(siteId);
    const custody = site.policy?.keyCustody ?? 'provider';
    await this.recorded(site, 'drill', custody, async () => {
      if (custody === 'provider') {
        const result = await this.provider.drill(site);
        return { snapshotId: result.snapshotId, files: result.files, totalBytes: result.bytes };
      }
      return this.drillMemberArchive(site);
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

  /** Signature and size: the archive on disk is the one the backup wrote, unaltered. */
  private async drillMemberArchive(site: SiteRef): Promise<Partial<BackupResult>> {
    const latest = await this.member.latest(site.id);
    if (!latest) throw new Error('no archive to drill');
    if (!(await this.member.verify(latest))) throw new Error(`archive ${latest.id} fails its signature check`);
    const size = (await fs.stat(latest.path)).size;
    const run = await this.prisma.backupRun.findFirst({ where: { siteId: site.id, snapshotId: latest.id, kind: 'backup' } });
    if (run?.totalBytes != null && Number(run.totalBytes) !== size) {
      throw new Error(`archive ${latest.id} is ${size} bytes, the backup wrote ${run.totalBytes}`);
    }
    return { snapshotId: latest.id, archivePath: latest.path, totalBytes: size };
  }

  private async backupWith(site: LoadedSite, policy: NonNullable<LoadedSite['policy']>): Promise<BackupResult> {
    if (policy.keyCustody === 'provider') return this.provider.backup(site);
    if (!policy.memberPublicKey) throw new PermanentJobError('member custody without a public key');
    return this.member.backup(site, policy.memberPublicKey);
  }

  private async restoreInto(site: SiteRef, snapshotId: string, secrets: RestoreSecrets, staging: string): Promise<void> {
    if (!isArchiveId(snapshotId)) return this.provider.restoreInto(site, snapshotId, staging);
    if (!secrets.sealedPrivateKey) throw new PermanentJobError(KEY_GONE);
    const key = {
      privateKey: this.secrets.decrypt(secrets.sealedPrivateKey),
      ...(secrets.sealedPassphrase ? { passphrase: this.secrets.decrypt(secrets.sealedPassphrase) } : {}),
    };
    await this.member.restoreInto(site.id, snapshotId, key, staging);
  }

  private async runHook(site: SiteRef, hook: string[]): Promise<void> {
    if (hook.length === 0) return;
    const options = { cwd: site.documentRoot, timeoutMs: HOOK_TIMEOUT_MS, prefix: backupPriority(this.config) };
    await this.processes.runChecked(hook[0], hook.slice(1), options).catch((error: Error) => {
      throw new Error(`pre-backup hook failed: ${error.message}`);
    });
  }

  /**
   * Writes the BackupRun row around `work`: running, then succeeded with its figures or failed with its error.
   * A final failure of a backup, check or drill is mailed to staff and the member; a restore's requester watches its operation.
   */
  private async recorded(
    site: LoadedSite,
    kind: RunKind,
    custody: 'provider' | 'member',
    work: () => Promise<Partial<BackupResult>>,
    lastAttempt = true,
  ): Promise<void> {
    const started = Date.now();
    // A worker killed mid-run leaves its row "running" for ever; the next run of the same kind on the
    // site (its retry, usually) says what became of it. A run that is in fact still going writes its own outcome over this.
    await this.prisma.backupRun.updateMany({
      where: { siteId: site.id, kind, status: 'running' },
      data: { status: 'failed', error: INTERRUPTED, finishedAt: new Date() },
    });
    const run = await this.prisma.backupRun.create({ data: { siteId: site.id, kind, custody } });
    try {
      const result = await work();
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
    } catch (error) {
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
      documentRoot: site.documentRoot,
      primaryDomain: site.primaryDomain,
      contactEmail: site.member.contactEmail,
      policy: site.backupPolicy,
    };
  }
}

function permanentIfHopeless(error: unknown): unknown {
  const hopeless = [PgpKeyError, PgpMessageError, ArchiveNotFound, ArchiveTampered, SnapshotNotFound].some((type) => error instanceof type);
  return hopeless ? new PermanentJobError((error as Error).message) : error;
}
