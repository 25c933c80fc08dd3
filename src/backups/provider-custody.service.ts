import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { BackupRequest, ResticAdapter, ResticError, ResticErrorReason, ResticRepo, Snapshot } from '../core/adapters/restic.adapter.js';
import { BackupLocations } from './backup-locations.js';
import { listFiles, siblingFolder } from './folder-swap.js';
import { KeyedLock } from './keyed-lock.js';
import { keepsEverything, KeepRules } from './retention.js';

export interface SiteRef {
  id: string;
  memberId: string;
  documentRoot: string;
}

/** A site as its host's provider custody opens it: the repository password comes with each command, sealed to the agent. */
export interface ProviderSite extends SiteRef {
  /** the member repository's password; undefined when the control plane never made one (no backups yet) */
  password?: string;
}

export interface BackupResult {
  snapshotId: string;
  archivePath?: string;
  files: number;
  bytesAdded: number;
  totalBytes: number;
}

export interface Deleted {
  items: string[];
  bytes: number;
}

const CHECK_SUBSET = '5%';

export function siteTag(siteId: string): string {
  return `site-${siteId}`;
}

/**
 * Provider custody: one restic repository per member on the host's
 * BACKUP_TARGET, each snapshot tagged with its site. Deduplicated and
 * incremental; the host can restore alone. Runs on the site's agent.
 */
export class ProviderCustody {
  constructor(
    private readonly restic: ResticAdapter,
    private readonly locations: BackupLocations,
    private readonly lock: KeyedLock,
  ) {}

  /** One restic process per backup: the repository is created only when restic finds none. */
  async backup(site: ProviderSite, signal?: AbortSignal): Promise<BackupResult> {
    return this.withRepo(site, async (repo) => {
      const request: BackupRequest = { path: site.documentRoot, tags: [siteTag(site.id)], signal };
      const summary = await this.restic.backup(repo, request).catch(async (error: unknown) => {
        if (!(error instanceof ResticError) || error.reason !== ResticErrorReason.NoRepository) throw error;
        await this.restic.init(repo);
        return this.restic.backup(repo, request);
      });
      return { snapshotId: summary.snapshotId, files: summary.totalFiles, bytesAdded: summary.dataAdded, totalBytes: summary.totalBytes };
    });
  }

  /** Applies each site's keep rules in the member's repository, then prunes once for all of them; returns the removed snapshot ids. */
  async prune(memberId: string, password: string | undefined, sites: { siteId: string; rules: KeepRules }[]): Promise<string[]> {
    const ruled = sites.filter((site) => !keepsEverything(site.rules));
    const repo = ruled.length > 0 ? this.existing(memberId, password) : undefined;
    if (!repo) return [];
    return this.lock.with(repo.repository, async () => {
      const removed: string[] = [];
      for (const { siteId, rules } of ruled) {
        removed.push(...(await this.restic.forget(repo, { ...rules, tags: [siteTag(siteId)], prune: false })).removed);
      }
      if (removed.length > 0) await this.restic.prune(repo);
      return removed;
    });
  }

  async snapshots(site: ProviderSite): Promise<Snapshot[]> {
    const repo = this.existing(site.memberId, site.password);
    if (!repo) return [];
    return this.restic.snapshots(repo, { tags: [siteTag(site.id)] }).catch((error: unknown) => {
      if (error instanceof ResticError && error.reason === ResticErrorReason.NoRepository) return [];
      throw error;
    });
  }

  async restoreInto(site: ProviderSite, snapshotId: string, target: string): Promise<void> {
    const repo = this.requireRepo(site);
    await this.assertSnapshotOfSite(repo, site, snapshotId);
    await this.restic.restore(repo, snapshotId, target);
  }

  /** Restores the latest snapshot to a scratch folder and compares it with the snapshot's own listing. */
  async drill(site: ProviderSite): Promise<{ snapshotId: string; files: number; bytes: number }> {
    const latest = (await this.snapshots(site)).at(-1);
    if (!latest) throw new Error('no snapshot to drill');
    const repo = this.requireRepo(site);
    await fs.mkdir(this.locations.scratchDir(), { recursive: true });
    const scratch = await siblingFolder(`${this.locations.scratchDir()}/drill`, site.id);
    try {
      await this.restic.restore(repo, latest.id, scratch);
      const expected = (await this.restic.ls(repo, latest.id)).filter((e) => e.type === 'file');
      const restored = await listFiles(scratch);
      compareListings(expected, restored);
      return { snapshotId: latest.id, files: restored.length, bytes: restored.reduce((sum, f) => sum + f.size, 0) };
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  async check(site: ProviderSite): Promise<void> {
    const repo = this.requireRepo(site);
    await this.lock.with(repo.repository, () => this.restic.check(repo, { readDataSubset: CHECK_SUBSET }));
  }

  async deleteAll(site: ProviderSite): Promise<Deleted> {
    const repo = this.existing(site.memberId, site.password);
    if (!repo) return { items: [], bytes: 0 };
    return this.lock.with(repo.repository, async () => {
      const ids = (await this.snapshots(site)).map((s) => s.id);
      if (ids.length === 0) return { items: [], bytes: 0 };
      await this.restic.forgetIds(repo, ids);
      return { items: ids, bytes: 0 };
    });
  }

  /** The latest snapshot as a tar stream, or undefined when there is none. */
  async latestTar(site: ProviderSite): Promise<Readable | undefined> {
    const latest = (await this.snapshots(site)).at(-1);
    if (!latest) return undefined;
    const repo = this.requireRepo(site);
    return this.restic.dump(repo, latest.id, { archive: 'tar' });
  }

  private async withRepo<T>(site: ProviderSite, work: (repo: ResticRepo) => Promise<T>): Promise<T> {
    const repo = this.requireRepo(site);
    return this.lock.with(repo.repository, () => work(repo));
  }

  private existing(memberId: string, password: string | undefined): ResticRepo | undefined {
    return password === undefined ? undefined : { repository: this.locations.repositoryOf(memberId), password };
  }

  private requireRepo(site: ProviderSite): ResticRepo {
    const repo = this.existing(site.memberId, site.password);
    if (!repo) throw new Error('this site has no provider-custody backups');
    return repo;
  }

  /** A snapshot id from the request must belong to this site, not to another site of the same member. */
  private async assertSnapshotOfSite(repo: ResticRepo, site: SiteRef, snapshotId: string): Promise<void> {
    const snapshots = await this.restic.snapshots(repo, { tags: [siteTag(site.id)] });
    if (!snapshots.some((s) => s.id === snapshotId || s.shortId === snapshotId)) throw new SnapshotNotFound(snapshotId);
  }
}

export class SnapshotNotFound extends Error {
  constructor(snapshotId: string) {
    super(`snapshot ${snapshotId} not found for this site`);
  }
}

export class DrillMismatch extends Error {}

function compareListings(expected: { path: string; size: number }[], restored: { path: string; size: number }[]): void {
  const got = new Map(restored.map((f) => [f.path, f.size]));
  const problems: string[] = [];
  for (const file of expected) {
    const size = got.get(file.path);
    if (size === undefined) problems.push(`missing ${file.path}`);
    else if (size !== file.size) problems.push(`${file.path}: ${size} bytes, listing says ${file.size}`);
    got.delete(file.path);
  }
  for (const extra of got.keys()) problems.push(`unexpected ${extra}`);
  if (problems.length > 0) throw new DrillMismatch(`restore drill found ${problems.length} difference(s): ${problems.slice(0, 10).join('; ')}`);
}
