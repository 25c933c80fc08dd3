import { promises as fs } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { PgpKeyError, PgpMessageError } from '../core/adapters/pgp.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import type { RunnableOperation } from '../core/operations/operation-runner.service.js';
import { siblingFolder, swapInto } from './folder-swap.js';
import { ArchiveNotFound, ArchiveTampered, isArchiveId, MemberCustody } from './member-custody.service.js';
import { BackupResult, ProviderCustody, SiteRef, SnapshotNotFound } from './provider-custody.service.js';

const HOOK_TIMEOUT_MS = 15 * 60_000;

export type Trigger = 'manual' | 'scheduled';

/** What a restore operation's payload holds; the key fields are sealed with SECRETS_KEY and wiped when the job ends. */
export interface RestorePayload {
  snapshotId: string;
  sealedPrivateKey?: string;
  sealedPassphrase?: string;
}

type RunKind = 'backup' | 'restore' | 'check' | 'drill';

interface LoadedSite extends SiteRef {
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
  ) {}

  async runBackup(siteId: string, trigger: Trigger): Promise<'succeeded' | 'skipped'> {
    const site = await this.loadSite(siteId);
    const policy = site?.policy;
    if (!site || !policy?.enabled) {
      if (trigger === 'scheduled') return 'skipped';
      throw new PermanentJobError('backups are not enabled for this site');
    }
    const custody = policy.keyCustody;
    await this.recorded(site.id, 'backup', custody, async () => {
      await this.runHook(site, policy.preBackupHook);
      const result = await this.backupWith(site, policy);
      await this.prisma.backupPolicy.update({ where: { siteId }, data: { lastSuccessAt: new Date() } });
      return result;
    });
    await this.applyRetention(site, policy);
    return 'succeeded';
  }

  async restore(operation: RunnableOperation): Promise<void> {
    const payload = operation.payload as RestorePayload;
    try {
      const site = await this.requireSite(operation.siteId);
      const custody = isArchiveId(payload.snapshotId) ? 'member' : 'provider';
      await this.recorded(site.id, 'restore', custody, async () => {
        const staging = await siblingFolder(site.documentRoot, 'restore');
        try {
          await this.restoreInto(site, payload, staging);
          await swapInto(staging, site.documentRoot);
        } catch (error) {
          await fs.rm(staging, { recursive: true, force: true });
          throw permanentIfHopeless(error);
        }
        return { snapshotId: payload.snapshotId };
      });
    } finally {
      await this.wipeRestoreSecrets(operation.id, payload);
    }
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
    await this.recorded(site.id, 'check', custody, async () => {
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
    await this.recorded(site.id, 'drill', custody, async () => {
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

  private async applyRetention(site: LoadedSite, policy: NonNullable<LoadedSite['policy']>): Promise<void> {
    const rules = { keepDaily: policy.keepDaily, keepWeekly: policy.keepWeekly, keepMonthly: policy.keepMonthly };
    try {
      const removed = policy.keyCustody === 'provider' ? await this.provider.prune(site, rules) : await this.member.prune(site.id, rules);
      if (removed.length) {
        await this.prisma.backupRun.updateMany({ where: { siteId: site.id, snapshotId: { in: removed }, deletedAt: null }, data: { deletedAt: new Date() } });
      }
    } catch (error) {
      // The backup itself is safe; pruning comes round again with the next run.
      this.logger.error(`retention for site ${site.id} failed: ${(error as Error).message}`);
    }
  }

  private async restoreInto(site: SiteRef, payload: RestorePayload, staging: string): Promise<void> {
    if (!isArchiveId(payload.snapshotId)) return this.provider.restoreInto(site, payload.snapshotId, staging);
    if (!payload.sealedPrivateKey) throw new PermanentJobError('a member-custody restore needs the member private key');
    const key = {
      privateKey: this.secrets.decrypt(payload.sealedPrivateKey),
      ...(payload.sealedPassphrase ? { passphrase: this.secrets.decrypt(payload.sealedPassphrase) } : {}),
    };
    await this.member.restoreInto(site.id, payload.snapshotId, key, staging);
  }

  private async wipeRestoreSecrets(operationId: string, payload: RestorePayload): Promise<void> {
    if (!payload.sealedPrivateKey && !payload.sealedPassphrase) return;
    await this.prisma.operation.update({ where: { id: operationId }, data: { payload: { snapshotId: payload.snapshotId } } });
  }

  private async runHook(site: SiteRef, hook: string[]): Promise<void> {
    if (hook.length === 0) return;
    await this.processes.runChecked(hook[0], hook.slice(1), { cwd: site.documentRoot, timeoutMs: HOOK_TIMEOUT_MS }).catch((error: Error) => {
      throw new Error(`pre-backup hook failed: ${error.message}`);
    });
  }

  /** Writes the BackupRun row around `work`: running, then succeeded with its figures or failed with its error. */
  private async recorded(siteId: string, kind: RunKind, custody: 'provider' | 'member', work: () => Promise<Partial<BackupResult>>): Promise<void> {
    const started = Date.now();
    const run = await this.prisma.backupRun.create({ data: { siteId, kind, custody } });
    try {
      const result = await work();
      await this.prisma.backupRun.update({
        where: { id: run.id },
        data: {
          status: 'succeeded',
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
      this.logger.error(`backup ${kind} for site ${siteId} failed: ${message}`);
      throw error;
    }
  }

  private async requireSite(siteId: string | null): Promise<LoadedSite> {
    const site = siteId ? await this.loadSite(siteId) : null;
    if (!site) throw new PermanentJobError('site not found');
    return site;
  }

  private async loadSite(siteId: string): Promise<LoadedSite | null> {
    const site = await this.prisma.site.findUnique({ where: { id: siteId }, include: { backupPolicy: true } });
    if (!site) return null;
    return { id: site.id, memberId: site.memberId, documentRoot: site.documentRoot, policy: site.backupPolicy };
  }
}

function permanentIfHopeless(error: unknown): unknown {
  const hopeless = [PgpKeyError, PgpMessageError, ArchiveNotFound, ArchiveTampered, SnapshotNotFound].some((type) => error instanceof type);
  return hopeless ? new PermanentJobError((error as Error).message) : error;
}
