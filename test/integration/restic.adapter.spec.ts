import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner, RunOptions, RunResult } from '../../src/core/adapters/process.adapter.js';
import { StreamingProcessRunner } from '../../src/core/adapters/process-stream.adapter.js';
import { ResticAdapter, ResticError, ResticErrorReason, ResticRepo } from '../../src/core/adapters/restic.adapter.js';
import { readTree, writeTree } from '../support/file-tree.js';

class SpyRunner extends ProcessRunner {
  readonly calls: { args: readonly string[]; options: RunOptions }[] = [];

  override run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ args, options });
    return super.run(file, args, options);
  }
}

/** What a crashed worker leaves behind: restic gets SIGKILL and cannot remove its lock. */
async function killedBackup(repo: ResticRepo, path: string): Promise<void> {
  const child = spawn('restic', ['backup', '--quiet', '.'], {
    cwd: path,
    env: { PATH: process.env.PATH, RESTIC_REPOSITORY: repo.repository, RESTIC_PASSWORD: repo.password },
    stdio: 'ignore',
  });
  // Kill it mid-backup: once it holds its lock, not after a fixed delay that a busy machine outlasts.
  // The lock counts once restic has renamed it into place; a `-tmp-` file is a write still under way.
  for (let waited = 0; (await committedLocks(repo)).length === 0; waited += 20) {
    if (waited > 30_000) throw new Error('restic never took its lock');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  await once(child, 'close');
}

/** Lock files restic has finished writing (the local backend writes `<id>-tmp-<n>` and renames). */
async function committedLocks(repo: ResticRepo): Promise<string[]> {
  const names = await fs.readdir(join(repo.repository, 'locks')).catch(() => [] as string[]);
  return names.filter((name) => /^[0-9a-f]{64}$/.test(name));
}

async function countPacks(repo: ResticRepo): Promise<number> {
  const dirs = await fs.readdir(join(repo.repository, 'data'));
  const counts = await Promise.all(dirs.map(async (dir) => (await fs.readdir(join(repo.repository, 'data', dir))).length));
  return counts.reduce((sum, n) => sum + n, 0);
}

describe('ResticAdapter (real restic)', () => {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const runner = new SpyRunner();
  let root: string;
  let restic: ResticAdapter;
  let repoCount = 0;

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'hk-restic-'));
    restic = new ResticAdapter(runner, { cacheDir: join(root, 'cache'), host: 'test-host' });
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function newRepo(): Promise<ResticRepo> {
    const repo = { repository: join(root, `repo-${++repoCount}`), password };
    await restic.init(repo);
    return repo;
  }

  async function newSite(files: Record<string, string | Buffer>): Promise<string> {
    const dir = await fs.mkdtemp(join(root, 'site-'));
    await writeTree(dir, files);
    return dir;
  }

  it('init is idempotent and refuses a wrong password', async () => {
    const repo = await newRepo();
    const config = await fs.readFile(join(repo.repository, 'config'));

    await restic.init(repo);

    expect(await fs.readFile(join(repo.repository, 'config'))).toEqual(config);
    await expect(restic.init({ ...repo, password: 'wrong' })).rejects.toMatchObject({ reason: ResticErrorReason.WrongPassword });
  });

  it('restores an earlier snapshot byte for byte, relative to the backed-up folder', async () => {
    const repo = await newRepo();
    const site = await newSite({ 'index.html': '<h1>v1</h1>', 'assets/app.js': 'console.log(1)', 'assets/logo.bin': randomBytes(300_000) });
    const original = await readTree(site);

    const first = await restic.backup(repo, { path: site, tags: ['site-1'] });
    await writeTree(site, { 'index.html': '<h1>v2</h1>', 'new.txt': 'new' });
    await fs.rm(join(site, 'assets/app.js'));
    const second = await restic.backup(repo, { path: site, tags: ['site-1'] });

    expect(first).toMatchObject({ filesNew: 3, totalFiles: 3 });
    expect(first.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatchObject({ filesNew: 1, filesChanged: 1, filesUnmodified: 1 });

    const target = join(root, 'restore-1');
    await restic.restore(repo, first.snapshotId, target);
    expect(await readTree(target)).toEqual(original);

    const snapshots = await restic.snapshots(repo, { tags: ['site-1'] });
    expect(snapshots.map((s) => s.id).sort()).toEqual([first.snapshotId, second.snapshotId].sort());
    expect(snapshots[0]).toMatchObject({ hostname: 'test-host', tags: ['site-1'], paths: [site] });
    expect(snapshots[0].time).toBeInstanceOf(Date);
  });

  it('a backup starts restic once and still reports the full snapshot id', async () => {
    const repo = await newRepo();
    const site = await newSite({ 'a.txt': 'a' });
    const before = runner.calls.length;

    const { snapshotId } = await restic.backup(repo, { path: site });

    expect(runner.calls.slice(before).map((call) => call.args[0])).toEqual(['backup']);
    expect(snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect((await restic.snapshots(repo)).map((s) => s.id)).toEqual([snapshotId]);
  });

  it('a backup into a repository that does not exist yet fails as no-repository (callers init then)', async () => {
    const site = await newSite({ 'a.txt': 'a' });
    const repo = { repository: join(root, 'not-yet'), password };

    await expect(restic.backup(repo, { path: site })).rejects.toMatchObject({ reason: ResticErrorReason.NoRepository });
  });

  it('runs restic under the priority prefix it is given', async () => {
    const spy = new SpyRunner();
    const lowly = new ResticAdapter(spy, { cacheDir: join(root, 'cache'), priority: ['nice', '-n', '5'] });
    const repo = await newRepo();
    const site = await newSite({ 'a.txt': 'a' });

    const { snapshotId } = await lowly.backup(repo, { path: site });

    expect(snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(spy.calls.map((call) => call.options.prefix)).toEqual([['nice', '-n', '5']]);
  });

  it('lists a snapshot relative to its root and dumps it as a tar stream', async () => {
    const repo = await newRepo();
    const site = await newSite({ 'a.txt': 'aaa', 'sub/b.txt': 'bb' });
    const { snapshotId } = await restic.backup(repo, { path: site });

    const entries = await restic.ls(repo, snapshotId);
    expect(entries).toEqual(
      expect.arrayContaining([
        { path: 'a.txt', type: 'file', size: 3 },
        { path: 'sub', type: 'dir', size: 0 },
        { path: 'sub/b.txt', type: 'file', size: 2 },
      ]),
    );

    const target = join(root, 'dumped');
    await fs.mkdir(target);
    await new StreamingProcessRunner().input('tar', ['-C', target, '-xf', '-'], restic.dump(repo, snapshotId, { archive: 'tar' }));
    expect(await readTree(target)).toEqual(await readTree(site));
  });

  it('forget keeps one snapshot per day as asked and prunes the rest', async () => {
    const repo = await newRepo();
    const site = await newSite({ 'f.txt': '0' });
    const at = async (iso: string) => {
      await writeTree(site, { 'f.txt': iso });
      return (await restic.backup(repo, { path: site, tags: ['rotation'], time: new Date(iso) })).snapshotId;
    };
    const dayOneEarly = await at('2024-01-01T08:00:00Z');
    const dayOneLate = await at('2024-01-01T20:00:00Z');
    const dayTwo = await at('2024-01-02T12:00:00Z');
    const dayThree = await at('2024-01-03T12:00:00Z');

    const result = await restic.forget(repo, { keepDaily: 2, tags: ['rotation'], prune: true });

    expect(result.removed.sort()).toEqual([dayOneEarly, dayOneLate].sort());
    expect(result.kept.sort()).toEqual([dayTwo, dayThree].sort());
    const left = await restic.snapshots(repo, { tags: ['rotation'] });
    expect(left.map((s) => s.id).sort()).toEqual([dayTwo, dayThree].sort());
    expect(left.find((s) => s.id === dayThree)?.time.toISOString()).toBe('2024-01-03T12:00:00.000Z');
    await restic.check(repo, { readDataSubset: '100%' });
  });

  it('forgetIds removes exactly the named snapshots and prunes their data', async () => {
    const repo = await newRepo();
    const site = await newSite({ 'keep.txt': 'kept' });
    const kept = (await restic.backup(repo, { path: site, tags: ['a'] })).snapshotId;
    await writeTree(site, { 'gone.bin': randomBytes(200_000) });
    const goneA = (await restic.backup(repo, { path: site, tags: ['b'] })).snapshotId;
    const goneB = (await restic.backup(repo, { path: site, tags: ['b'] })).snapshotId;
    const packsBefore = await countPacks(repo);

    await restic.forgetIds(repo, [goneA, goneB]);

    expect((await restic.snapshots(repo)).map((s) => s.id)).toEqual([kept]);
    expect(await countPacks(repo)).toBeLessThan(packsBefore);
    await restic.check(repo, { readDataSubset: '100%' });
    await expect(restic.forgetIds(repo, ['--keep-last=0'])).rejects.toThrow(/invalid snapshot id/);
    await expect(restic.forgetIds(repo, [])).resolves.toBeUndefined();
  });

  describe('interrupted backups', () => {
    let bigSite: string;

    beforeAll(async () => {
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 40; i++) files[`big/${i}.bin`] = randomBytes(5_000_000);
      bigSite = await newSite(files);
    });

    it('an aborted backup rejects, and check passes after unlock', async () => {
      const repo = await newRepo();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 700);

      await expect(restic.backup(repo, { path: bigSite, signal: controller.signal })).rejects.toMatchObject({
        reason: ResticErrorReason.Aborted,
      });

      await restic.unlock(repo);
      await restic.check(repo);
      expect(await restic.snapshots(repo)).toEqual([]);
    });

    it('a backup killed outright leaves a stale lock that the next exclusive command clears', async () => {
      const repo = await newRepo();
      await killedBackup(repo, bigSite);
      expect(await committedLocks(repo)).toHaveLength(1);

      await restic.check(repo);

      expect(await committedLocks(repo)).toHaveLength(0);
    });
  });

  it('reports failures as ResticError with stderr and without the password', async () => {
    const repo = await newRepo();
    const error = await restic.restore(repo, 'deadbeef', join(root, 'nowhere')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResticError);
    expect((error as ResticError).stderr).toMatch(/no matching ID|deadbeef/);
    expect((error as ResticError).message).not.toContain(password);
  });

  // Declared last so it sees every call the suite made.
  describe('process arguments', () => {
    it('never carry the password; the environment does', () => {
      expect(runner.calls.length).toBeGreaterThan(30);
      for (const call of runner.calls) {
        expect(call.args.some((arg) => arg.includes(password))).toBe(false);
        expect(call.options.env?.RESTIC_PASSWORD).toBeTruthy();
      }
    });
  });
});
