import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ProcessRunner, RunResult } from './process.adapter.js';
import { StreamingProcessRunner } from './process-stream.adapter.js';

export interface ResticRepo {
  /** A local path or a restic backend URL. */
  repository: string;
  password: string;
}

export interface ResticOptions {
  bin?: string;
  cacheDir?: string;
  /** Recorded on every snapshot; restic picks parents and groups forget rules by host, so it must not change. */
  host?: string;
  /** Every restic process runs under it, e.g. ['nice', '-n', '10']. */
  priority?: readonly string[];
}

export interface BackupRequest {
  /** The folder whose contents are backed up; restore reproduces them at the target's root. */
  path: string;
  tags?: string[];
  host?: string;
  /** Snapshot time; defaults to now. */
  time?: Date;
  signal?: AbortSignal;
}

export interface BackupSummary {
  snapshotId: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  totalFiles: number;
  dataAdded: number;
  totalBytes: number;
  durationSeconds: number;
}

export interface Snapshot {
  id: string;
  shortId: string;
  time: Date;
  paths: string[];
  tags: string[];
  hostname: string;
  parent?: string;
}

export interface ForgetPolicy {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  tags?: string[];
  prune: boolean;
}

export interface ForgetResult {
  removed: string[];
  kept: string[];
}

export interface SnapshotEntry {
  /** Relative to the backed-up folder. */
  path: string;
  type: string;
  size: number;
}

export enum ResticErrorReason {
  Locked = 'locked',
  NoRepository = 'no-repository',
  WrongPassword = 'wrong-password',
  Aborted = 'aborted',
  Failed = 'failed',
}

export class ResticError extends Error {
  constructor(
    message: string,
    readonly reason: ResticErrorReason,
    readonly stderr = '',
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ResticError';
  }

  static fromResult(command: string, result: RunResult, password: string): ResticError {
    const stderr = redact(result.stderr, password).trim();
    const reason = reasonOf(result.stderr);
    return new ResticError(`restic ${command} exited with ${result.code}: ${stderr.slice(0, 2000)}`, reason, stderr, result.code);
  }
}

const DEFAULT_HOST = 'hostkeeper';
const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;
const TAG = /^[A-Za-z0-9_.:@-]+$/;
const READ_DATA_SUBSET = /^(\d+(\.\d+)?%|\d+\/\d+|\d+[KMGT]?)$/;

/**
 * restic, driven as a program. The password and repository travel in the
 * child's environment, never in its arguments, so `ps` cannot show them.
 */
export class ResticAdapter {
  private readonly bin: string;

  constructor(
    private readonly runner: ProcessRunner,
    private readonly opts: ResticOptions = {},
    private readonly streams = new StreamingProcessRunner(),
  ) {
    this.bin = opts.bin ?? 'restic';
  }

  async init(repo: ResticRepo): Promise<void> {
    if (await this.isInitialised(repo)) return;
    const result = await this.runner.run(this.bin, ['init'], this.runOptions(repo));
    // Another worker may have initialised it between our check and our init.
    if (result.code !== 0 && !/config file already exists/.test(result.stderr)) {
      throw ResticError.fromResult('init', result, repo.password);
    }
  }

  async backup(repo: ResticRepo, request: BackupRequest): Promise<BackupSummary> {
    const args = ['backup', '--json', '--quiet', '--host', request.host ?? this.host, ...tagArgs(request.tags)];
    if (request.time) args.push('--time', resticTime(request.time));
    // Backing up "." from inside the folder stores its contents at the snapshot root.
    args.push('.');
    await assertDirectory(request.path);
    const stdout = await this.execAbortable(repo, args, { cwd: request.path, signal: request.signal });
    const summary = parseBackupSummary(stdout);
    return { ...summary, snapshotId: await this.fullSnapshotId(repo, checkedId(summary.snapshotId)) };
  }

  async snapshots(repo: ResticRepo, filter: { tags?: string[] } = {}): Promise<Snapshot[]> {
    return this.listSnapshots(repo, tagFilterArgs(filter.tags));
  }

  async forget(repo: ResticRepo, policy: ForgetPolicy): Promise<ForgetResult> {
    const keep = keepArgs(policy);
    // Without a rule restic keeps everything and prints prose instead of JSON; an empty policy is a caller bug.
    if (keep.length === 0) throw new Error('forget needs at least one keep rule');
    // prune runs separately: `forget --prune --json` mixes prune's text report into the JSON.
    const stdout = await this.exec(repo, ['forget', '--json', ...keep, ...tagFilterArgs(policy.tags)]);
    const result = parseForget(stdout);
    if (policy.prune && result.removed.length > 0) await this.prune(repo);
    return result;
  }

  /** Removes the named snapshots and the data only they used. */
  async forgetIds(repo: ResticRepo, snapshotIds: string[]): Promise<void> {
    if (snapshotIds.length === 0) return;
    await this.exec(repo, ['forget', ...snapshotIds.map(checkedId)]);
    await this.prune(repo);
  }

  /** Drops data no snapshot uses any more; after several forgets, one prune does for all. */
  async prune(repo: ResticRepo): Promise<void> {
    await this.exec(repo, ['prune', '--quiet']);
  }

  async check(repo: ResticRepo, options: { readDataSubset?: string } = {}): Promise<void> {
    const args = ['check'];
    if (options.readDataSubset !== undefined) {
      if (!READ_DATA_SUBSET.test(options.readDataSubset)) throw new Error(`invalid read-data subset: ${options.readDataSubset}`);
      args.push(`--read-data-subset=${options.readDataSubset}`);
    }
    await this.exec(repo, args);
  }

  async restore(repo: ResticRepo, snapshotId: string, targetDir: string): Promise<void> {
    await this.exec(repo, ['restore', checkedId(snapshotId), '--target', targetDir]);
  }

  async ls(repo: ResticRepo, snapshotId: string): Promise<SnapshotEntry[]> {
    const stdout = await this.exec(repo, ['ls', '--json', checkedId(snapshotId)]);
    return parseJsonLines<LsNode>(stdout)
      .filter((node) => node.struct_type === 'node')
      .map((node) => ({ path: node.path.replace(/^\/+/, ''), type: node.type, size: node.size ?? 0 }));
  }

  /** A tar stream of the whole snapshot; it errors if restic fails part-way. */
  dump(repo: ResticRepo, snapshotId: string, options: { archive: 'tar' }): Readable {
    return this.streams.output(this.bin, ['dump', '--archive', options.archive, checkedId(snapshotId), '/'], this.runOptions(repo));
  }

  /** Removes stale locks only: those of restic processes that no longer run. */
  async unlock(repo: ResticRepo): Promise<void> {
    await this.execOnce(repo, ['unlock']);
  }

  private get host(): string {
    return this.opts.host ?? DEFAULT_HOST;
  }

  private runOptions(repo: ResticRepo): { env: Record<string, string>; prefix?: readonly string[] } {
    // TZ pins how restic reads --time, which resticTime() writes in UTC.
    const env: Record<string, string> = { RESTIC_REPOSITORY: repo.repository, RESTIC_PASSWORD: repo.password, TZ: 'UTC' };
    if (this.opts.cacheDir) env.RESTIC_CACHE_DIR = this.opts.cacheDir;
    return { env, prefix: this.opts.priority };
  }

  private async isInitialised(repo: ResticRepo): Promise<boolean> {
    const result = await this.runner.run(this.bin, ['cat', 'config'], this.runOptions(repo));
    if (result.code === 0) return true;
    const error = ResticError.fromResult('cat config', result, repo.password);
    if (error.reason === ResticErrorReason.NoRepository) return false;
    throw error;
  }

  /**
   * A killed restic leaves its lock behind, which blocks every later exclusive
   * command. `unlock` removes a lock only once its process is gone, so
   * retrying after it never steps on a running backup.
   */
  private async exec(repo: ResticRepo, args: string[], options: ExecOptions = {}): Promise<string> {
    try {
      return await this.execOnce(repo, args, options);
    } catch (error) {
      if (!(error instanceof ResticError) || error.reason !== ResticErrorReason.Locked) throw error;
      await this.unlock(repo);
      return this.execOnce(repo, args, options);
    }
  }

  private async execAbortable(repo: ResticRepo, args: string[], options: ExecOptions): Promise<string> {
    try {
      return await this.exec(repo, args, options);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
      // Usually a no-op here (the process may still be exiting); exec's retry is the real safety net.
      await this.unlock(repo).catch(() => undefined);
      throw new ResticError(`restic ${args[0]} was aborted`, ResticErrorReason.Aborted);
    }
  }

  private async execOnce(repo: ResticRepo, args: string[], options: ExecOptions = {}): Promise<string> {
    const result = await this.runner.run(this.bin, args, { ...options, ...this.runOptions(repo) });
    if (result.code !== 0) throw ResticError.fromResult(args[0], result, repo.password);
    return result.stdout;
  }

  private async listSnapshots(repo: ResticRepo, args: string[]): Promise<Snapshot[]> {
    const stdout = await this.exec(repo, ['snapshots', '--json', ...args]);
    return (JSON.parse(stdout) as ResticSnapshot[]).map(toSnapshot);
  }

  /**
   * restic 0.14's backup summary carries only the short id. A local repository
   * names each snapshot file by its full id, so reading that folder saves a
   * second restic start (a key derivation, ~0.6 s of CPU); other backends ask restic.
   */
  private async fullSnapshotId(repo: ResticRepo, shortId: string): Promise<string> {
    const local = localPath(repo.repository);
    if (local !== undefined) {
      const names = await fs.readdir(join(local, 'snapshots')).catch(() => [] as string[]);
      const matches = names.filter((name) => name.startsWith(shortId) && SNAPSHOT_ID.test(name));
      if (matches.length === 1) return matches[0];
    }
    const [snapshot] = await this.listSnapshots(repo, [shortId]);
    if (!snapshot) throw new ResticError(`snapshot ${shortId} not found after backup`, ResticErrorReason.Failed);
    return snapshot.id;
  }
}

interface ExecOptions {
  cwd?: string;
  signal?: AbortSignal;
}

interface ResticSnapshot {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  tags?: string[] | null;
  hostname: string;
  parent?: string;
}

interface ResticForgetGroup {
  keep: ResticSnapshot[] | null;
  remove: ResticSnapshot[] | null;
}

interface LsNode {
  struct_type: 'snapshot' | 'node';
  path: string;
  type: string;
  size?: number;
}

interface ResticBackupSummary {
  message_type: string;
  snapshot_id: string;
  files_new: number;
  files_changed: number;
  files_unmodified: number;
  total_files_processed: number;
  data_added: number;
  total_bytes_processed: number;
  total_duration: number;
}

function reasonOf(stderr: string): ResticErrorReason {
  if (/repository is already locked/.test(stderr)) return ResticErrorReason.Locked;
  if (/wrong password or no key found/.test(stderr)) return ResticErrorReason.WrongPassword;
  if (/Is there a repository at the following location\?/.test(stderr)) return ResticErrorReason.NoRepository;
  return ResticErrorReason.Failed;
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** Spawning with a missing cwd fails as "spawn restic ENOENT", which points at the wrong thing. */
async function assertDirectory(path: string): Promise<void> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`backup source is not a directory: ${path}`);
}

/** The folder of a local repository (a path or `local:path`); undefined for every other backend. */
function localPath(repository: string): string | undefined {
  if (repository.startsWith('local:')) return repository.slice('local:'.length);
  return repository.startsWith('/') ? repository : undefined;
}

function checkedId(id: string): string {
  // Also keeps an id from ever being read as a flag.
  if (!SNAPSHOT_ID.test(id)) throw new Error(`invalid snapshot id: ${id}`);
  return id;
}

function checkedTags(tags: string[]): string[] {
  const bad = tags.find((tag) => !TAG.test(tag));
  if (bad !== undefined) throw new Error(`invalid tag: ${bad}`);
  return tags;
}

function tagArgs(tags: string[] = []): string[] {
  return checkedTags(tags).flatMap((tag) => ['--tag', tag]);
}

/** One comma-joined --tag: restic then matches snapshots carrying all of them. */
function tagFilterArgs(tags: string[] = []): string[] {
  return tags.length ? ['--tag', checkedTags(tags).join(',')] : [];
}

function keepArgs(policy: ForgetPolicy): string[] {
  const rules: [string, number | undefined][] = [
    ['--keep-last', policy.keepLast],
    ['--keep-daily', policy.keepDaily],
    ['--keep-weekly', policy.keepWeekly],
    ['--keep-monthly', policy.keepMonthly],
  ];
  return rules.filter(([, n]) => n !== undefined && n > 0).flatMap(([flag, n]) => [flag, String(n)]);
}

/** restic's --time layout, "2006-01-02 15:04:05", read in the TZ set by env(). */
function resticTime(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}

function parseJsonLines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}

function parseBackupSummary(stdout: string): BackupSummary {
  const summary = parseJsonLines<ResticBackupSummary>(stdout).find((line) => line.message_type === 'summary');
  if (!summary) throw new ResticError('restic backup printed no summary', ResticErrorReason.Failed);
  return {
    snapshotId: summary.snapshot_id,
    filesNew: summary.files_new,
    filesChanged: summary.files_changed,
    filesUnmodified: summary.files_unmodified,
    totalFiles: summary.total_files_processed,
    dataAdded: summary.data_added,
    totalBytes: summary.total_bytes_processed,
    durationSeconds: summary.total_duration,
  };
}

function parseForget(stdout: string): ForgetResult {
  const groups = JSON.parse(stdout) as ResticForgetGroup[] | null;
  return {
    removed: (groups ?? []).flatMap((group) => group.remove ?? []).map((snapshot) => snapshot.id),
    kept: (groups ?? []).flatMap((group) => group.keep ?? []).map((snapshot) => snapshot.id),
  };
}

function toSnapshot(raw: ResticSnapshot): Snapshot {
  return {
    id: raw.id,
    shortId: raw.short_id,
    time: new Date(raw.time),
    paths: raw.paths,
    tags: raw.tags ?? [],
    hostname: raw.hostname,
    ...(raw.parent ? { parent: raw.parent } : {}),
  };
}
