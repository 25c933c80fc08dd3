import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type {
  BackupCheckCommand,
  BackupDeleteCommand,
  BackupPruneCommand,
  BackupRestoreCommand,
  BackupRunCommand,
  BackupSiteRef,
  BackupValue,
  ProviderSecret,
} from '../../jobs/hosts.jobs.js';
import type { AppConfig } from '../config/config.js';
import { PgpKeyError, PgpMessageError } from '../core/adapters/pgp.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import type { AgentPrivateKeys } from '../core/crypto/agent-keys.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import { isNormalDomain } from '../sites/domain-name.js';
import { backupPriority } from './backup.providers.js';
import { assertContainedDocumentRoot } from './document-root.guard.js';
import { FolderSwap } from './folder-swap.js';
import { ArchiveNotFound, ArchiveTampered, isArchiveId, MemberCustody } from './member-custody.service.js';
import { ProviderCustody, ProviderSite, SnapshotNotFound } from './provider-custody.service.js';

const HOOK_TIMEOUT_MS = 15 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;

/**
 * The agent's side of backups: restic, OpenPGP archives, the pre-backup hook
 * and the folder swap of a restore, on this host's disk and BACKUP_TARGET.
 * Secrets arrive sealed to this agent's key and are opened in memory only;
 * the control plane decides when, records the runs and applies the rules.
 */
export class BackupHost {
  constructor(
    private readonly provider: ProviderCustody,
    private readonly member: MemberCustody,
    private readonly swaps: FolderSwap,
    private readonly processes: ProcessRunner,
    private readonly keys: AgentPrivateKeys,
    private readonly config: Pick<AppConfig, 'sitesRoot' | 'backupNice'>,
  ) {}

  /** Finishes or undoes the restores a crash left half-done. */
  repair(): Promise<number> {
    return this.swaps.repair();
  }

  async backup(command: BackupRunCommand): Promise<BackupValue> {
    const site = this.site(command.site);
    await assertContainedDocumentRoot(site.documentRoot, this.config.sitesRoot);
    await this.runHook(site.documentRoot, command.hook ?? []);
    if (command.member) {
      const privateKey = this.keys.open(command.member.signingKeySealed);
      return this.member.backup(site, command.member.publicKey, { privateKey });
    }
    return this.provider.backup(this.withPassword(site, command.provider, true));
  }

  async restore(command: BackupRestoreCommand): Promise<{ snapshotId: string }> {
    const site = this.site(command.site);
    const snapshotId = String(command.snapshotId);
    if (!SNAPSHOT_ID.test(snapshotId) && !isArchiveId(snapshotId)) throw new PermanentJobError('not a snapshot or archive id');
    const staged = await this.swaps.stage(site.documentRoot, 'restore');
    try {
      if (isArchiveId(snapshotId)) {
        if (!command.member) throw new PermanentJobError('restoring a member-custody archive needs the member private key');
        const key = {
          privateKey: this.keys.open(command.member.privateKeySealed),
          ...(command.member.passphraseSealed ? { passphrase: this.keys.open(command.member.passphraseSealed) } : {}),
        };
        await this.member.restoreInto(site.id, snapshotId, key, command.member.signingPublicKey, staged.replacement);
      } else {
        await this.provider.restoreInto(this.withPassword(site, command.provider, true), snapshotId, staged.replacement);
      }
      await this.swaps.swap(staged);
    } catch (error) {
      await this.swaps.discard(staged);
      throw permanentIfHopeless(error);
    }
    return { snapshotId };
  }

  async check(command: BackupCheckCommand): Promise<BackupValue> {
    const site = this.site(command.site);
    if (command.custody === 'provider') {
      await this.provider.check(this.withPassword(site, command.provider, true));
      return {};
    }
    const publicKey = String(command.signingPublicKey);
    const archives = await this.member.list(site.id);
    const bad: string[] = [];
    for (const archive of archives) if (!(await this.member.verify(archive, publicKey))) bad.push(archive.id);
    if (bad.length) throw new Error(`signature check failed for ${bad.join(', ')}`);
    return { files: archives.length };
  }

  /** Provider: a restore of the latest snapshot compared with its listing. Member: the latest archive's signature and size. */
  async drill(command: BackupCheckCommand): Promise<BackupValue> {
    const site = this.site(command.site);
    if (command.custody === 'provider') {
      const result = await this.provider.drill(this.withPassword(site, command.provider, true));
      return { snapshotId: result.snapshotId, files: result.files, totalBytes: result.bytes };
    }
    const latest = await this.member.latest(site.id);
    if (!latest) throw new Error('no archive to drill');
    if (!(await this.member.verify(latest, String(command.signingPublicKey)))) throw new Error(`archive ${latest.id} fails its signature check`);
    const size = (await fs.stat(latest.path)).size;
    return { snapshotId: latest.id, archivePath: latest.path, totalBytes: size };
  }

  async prune(command: BackupPruneCommand): Promise<{ removed: string[] }> {
    const memberId = checkedId(command.memberId);
    const providerSites = command.providerSites.map((entry) => ({ siteId: checkedId(entry.siteId), rules: entry.rules }));
    const password = command.provider?.passwordSealed ? this.keys.open(command.provider.passwordSealed) : undefined;
    const removed = await this.provider.prune(memberId, password, providerSites);
    for (const entry of command.memberSites) removed.push(...(await this.member.prune(checkedId(entry.siteId), entry.rules)));
    return { removed };
  }

  async deleteAll(command: BackupDeleteCommand): Promise<{ items: string[]; bytes: number }> {
    const site = this.withPassword(this.site(command.site), command.provider, false);
    const provider = await this.provider.deleteAll(site);
    const member = await this.member.deleteAll(site.id);
    return { items: [...provider.items.map((id) => `restic snapshot ${id}`), ...member.items], bytes: provider.bytes + member.bytes };
  }

  private site(ref: BackupSiteRef): ProviderSite {
    if (!isNormalDomain(ref.siteKey)) throw new PermanentJobError('not a site name this host will use');
    return { id: checkedId(ref.siteId), memberId: checkedId(ref.memberId), documentRoot: join(this.config.sitesRoot, ref.siteKey, 'public') };
  }

  private withPassword(site: ProviderSite, secret: ProviderSecret | undefined, required: boolean): ProviderSite {
    if (!secret?.passwordSealed) {
      if (required) throw new PermanentJobError('this site has no provider-custody backups');
      return site;
    }
    return { ...site, password: this.keys.open(secret.passwordSealed) };
  }

  private async runHook(documentRoot: string, hook: string[]): Promise<void> {
    if (hook.length === 0) return;
    const options = { cwd: documentRoot, timeoutMs: HOOK_TIMEOUT_MS, prefix: backupPriority(this.config) };
    await this.processes.runChecked(hook[0], hook.slice(1), options).catch((error: Error) => {
      throw new Error(`pre-backup hook failed: ${error.message}`);
    });
  }
}

function checkedId(id: unknown): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw new PermanentJobError('not an id this host will use');
  return id;
}

function permanentIfHopeless(error: unknown): unknown {
  const hopeless = [PgpKeyError, PgpMessageError, ArchiveNotFound, ArchiveTampered, SnapshotNotFound].some((type) => error instanceof type);
  return hopeless ? new PermanentJobError((error as Error).message) : error;
}
