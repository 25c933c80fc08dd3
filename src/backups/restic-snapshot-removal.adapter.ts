import { ProcessRunner } from '../core/adapters/process.adapter.js';
import { ResticError, ResticRepo } from '../core/adapters/restic.adapter.js';

const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;

/**
 * `restic forget <ids>` + prune: removing named snapshots, which ResticAdapter's
 * rule-based forget cannot express. Same rules as the adapter: password in the
 * environment, ids checked so none can be read as a flag.
 */
export class ResticSnapshotRemoval {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly opts: { bin?: string; cacheDir?: string } = {},
  ) {}

  async remove(repo: ResticRepo, snapshotIds: string[]): Promise<void> {
    if (snapshotIds.length === 0) return;
    const bad = snapshotIds.find((id) => !SNAPSHOT_ID.test(id));
    if (bad !== undefined) throw new Error(`invalid snapshot id: ${bad}`);
    await this.exec(repo, ['unlock']);
    await this.exec(repo, ['forget', ...snapshotIds]);
    await this.exec(repo, ['prune', '--quiet']);
  }

  private async exec(repo: ResticRepo, args: string[]): Promise<void> {
    const env: Record<string, string> = { RESTIC_REPOSITORY: repo.repository, RESTIC_PASSWORD: repo.password, TZ: 'UTC' };
    if (this.opts.cacheDir) env.RESTIC_CACHE_DIR = this.opts.cacheDir;
    const result = await this.runner.run(this.opts.bin ?? 'restic', args, { env });
    if (result.code !== 0) throw ResticError.fromResult(args[0], result, repo.password);
  }
}
