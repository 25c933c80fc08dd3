import { promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FilesAdapter } from './files.adapter.js';
import { ProcessRunner } from './process.adapter.js';

export interface NginxAdapterOptions {
  bin: string;
  /** The main nginx.conf; it must `include <sitesDir>/*.conf`. */
  conf: string;
  sitesDir: string;
  /** Reload requests this close together share one reload. */
  reloadWindowMs: number;
  /**
   * The master's pid file, so reload() can wait until nginx has really switched
   * to the new configuration. Default: the `pid` directive of `conf`; without
   * either, reload() resolves once the signal is sent.
   */
  pidFile?: string;
}

export interface SiteConfig {
  siteKey: string;
  config: string;
}

/** A site file that broke `nginx -t` for everyone, moved aside to `<file>.broken`. */
export interface QuarantinedFile {
  file: string;
  movedTo: string;
  /** Set when the file is named like a site file: the caller should re-render that site from its records. */
  siteKey?: string;
  nginxMessage: string;
}

export interface ApplyOutcome {
  quarantined: QuarantinedFile[];
}

export type SiteResult = { siteKey: string; ok: true } | { siteKey: string; ok: false; error: NginxConfigError };

export interface BatchOutcome extends ApplyOutcome {
  results: SiteResult[];
  /** Where the batch's time went, for the agent's log line and its batch wait. */
  timing: BatchTiming;
}

/** What commit() found: the batch's own reload has already taken when `untested` is `switched`. */
interface Committed extends ApplyOutcome {
  results: SiteResult[];
  untested: UntestedReload;
}

/**
 * `site`: this site's configuration is what nginx rejects (its previous file is back in place).
 * `elsewhere`: nginx's configuration is broken outside the site files, so nothing can be applied.
 */
export type NginxBlame = 'site' | 'elsewhere';

export class NginxConfigError extends Error {
  constructor(
    readonly siteKey: string,
    /** nginx's own words, e.g. `unknown directive "foo" in /etc/nginx/hostkeeper.d/a.org.conf:3`. */
    readonly nginxMessage: string,
    readonly blame: NginxBlame,
    /** Foreign site files moved aside while trying, even though this site still failed. */
    readonly quarantined: QuarantinedFile[] = [],
  ) {
    super(
      blame === 'site'
        ? `nginx rejected the configuration for ${siteKey}: ${nginxMessage}`
        : `nginx's configuration is broken outside the site files, so ${siteKey} cannot be applied: ${nginxMessage}`,
    );
  }
}

export class NginxReloadError extends Error {}

/**
 * What the master did with a batch sent to it before any test: `not tried`
 * when nothing had changed; anything but `switched` means the batch was tested.
 */
export type UntestedReload = 'not tried' | 'switched' | 'refused' | 'timed out' | 'no master';

export interface BatchTiming {
  testMs: number;
  reloadMs: number;
  switchMs: number;
  untested: UntestedReload;
}

const SITE_KEY = /^[a-z0-9.-]+$/;
const TEST_TIMEOUT_MS = 120_000;
const RELOAD_SETTLE_TIMEOUT_MS = 15_000;

/** One site file being changed: `desired` undefined means the file goes away. */
interface Change {
  siteKey: string;
  path: string;
  desired?: string;
  previous?: Buffer;
}

/** From this many files on, a batch is written with one file-system flush (see writeAll). */
const MANY_FILES = 16;

/** nginx's message for each rejected site key. */
type Failures = Map<string, string>;

/**
 * Owns the site files of one nginx instance. Every change is written, tested
 * and rolled back on failure while holding one lock, and reloads take the same
 * lock: one site's bad file never fails another site's test, and what nginx
 * runs is always a configuration that loaded whole. A single site is tested
 * with `nginx -t` before the reload; a batch goes to the master's reload first
 * (all-or-nothing on nginx's side) and is tested only if the master refused it.
 */
export class NginxAdapter {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly reloads: ReloadCoalescer;
  private reloadsDone = 0;

  constructor(
    private readonly options: NginxAdapterOptions,
    private readonly processes: ProcessRunner,
    private readonly files: FilesAdapter,
  ) {
    this.reloads = new ReloadCoalescer(options.reloadWindowMs, (claim) =>
      this.exclusive(async () => {
        claim();
        await this.reloadNow();
      }),
    );
  }

  get reloadCount(): number {
    return this.reloadsDone;
  }

  /** Writes, tests and reloads one site; throws NginxConfigError when nginx rejects it. */
  async applySite(siteKey: string, config: string): Promise<ApplyOutcome> {
    return this.single(siteKey, config);
  }

  async removeSite(siteKey: string): Promise<ApplyOutcome> {
    return this.single(siteKey, undefined);
  }

  /**
   * Many sites, one parse when all is well (the reload itself), and only the
   * sites nginx rejects fail. A batch is reloaded before it is tested: nginx's
   * reload is all-or-nothing (a configuration the master cannot load leaves the
   * running one serving), and with a thousand sites each parse costs seconds,
   * more with Debian's njs module loaded. Only when the master did not switch
   * is the batch tested and settled site by site, as applySite does.
   */
  async applySites(entries: SiteConfig[]): Promise<BatchOutcome> {
    const changes = entries.map(({ siteKey, config }) => this.change(siteKey, config));
    assertDistinct(changes);
    const started = Date.now();
    const { results, quarantined, untested } = await this.exclusive(() => this.commit(changes, true));
    const committed = Date.now();
    const reloaded = untested === 'switched';
    if (!reloaded && results.some((result) => result.ok)) await this.reload();
    const timing = reloaded
      ? { testMs: 0, reloadMs: committed - started, switchMs: this.lastSwitchMs, untested }
      : { testMs: committed - started, reloadMs: Date.now() - committed, switchMs: this.lastSwitchMs, untested };
    return { results, quarantined, timing };
  }

  /** How long the master's last switch-over took (diagnostic, for BatchTiming). */
  private lastSwitchMs = 0;

  /** Resolves once a reload that started after this call has completed. */
  reload(): Promise<void> {
    return this.reloads.request();
  }

  private async single(siteKey: string, desired: string | undefined): Promise<ApplyOutcome> {
    const outcome = await this.exclusive(() => this.commit([this.change(siteKey, desired)]));
    const [result] = outcome.results;
    if (!result.ok) throw result.error;
    await this.reload();
    return { quarantined: outcome.quarantined };
  }

  private change(siteKey: string, desired: string | undefined): Change {
    if (!SITE_KEY.test(siteKey) || siteKey.startsWith('.')) throw new Error(`not a valid site key: ${JSON.stringify(siteKey)}`);
    return { siteKey, path: join(this.options.sitesDir, `${siteKey}.conf`), desired };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `reloadFirst`: the new files go to the master before any test, and are tested only if it did not switch to them. */
  private async commit(all: Change[], reloadFirst = false): Promise<Committed> {
    await Promise.all(all.map(async (change) => (change.previous = await this.files.readIfExists(change.path))));
    const changes = all.filter((change) => !unchanged(change));
    const allOk = (untested: UntestedReload): Committed => ({ results: all.map(({ siteKey }) => ({ siteKey, ok: true })), quarantined: [], untested });
    if (changes.length === 0) return allOk('not tried');

    await this.writeAll(changes);
    const untested = reloadFirst ? await this.reloadUntested() : 'not tried';
    if (untested === 'switched') return allOk(untested);
    const first = await this.failure();
    if (first === undefined) return allOk(untested);

    await this.restoreAll(changes);
    const { quarantined, blocked } = await this.clearForeignBreakage(changes);
    const failures: Failures = new Map();
    if (!blocked) await this.settle(changes, failures, quarantined.length === 0 ? first : undefined);
    const changed = new Set(changes.map(({ siteKey }) => siteKey));
    const results = all.map(({ siteKey }): SiteResult => {
      const message = changed.has(siteKey) ? (blocked ?? failures.get(siteKey)) : undefined;
      if (message === undefined) return { siteKey, ok: true };
      return { siteKey, ok: false, error: new NginxConfigError(siteKey, message, blocked ? 'elsewhere' : 'site', quarantined) };
    });
    return { results, quarantined, untested };
  }

  /**
   * Finds the changes nginx rejects, starting from a baseline that passes.
   * nginx names the offending file in most messages, so each named change is
   * rolled back in turn; because nginx occasionally names the wrong file, a
   * change excluded while others were still in play is re-tested on its own
   * at the end. Messages that name none of our files fall back to bisection.
   * `knownFailure` is the message for all `changes` applied, if already known.
   */
  private async settle(changes: Change[], failures: Failures, knownFailure?: string): Promise<void> {
    const suspects: Change[] = [];
    let kept = [...changes];
    let message = knownFailure;
    if (kept.length > 1 || message === undefined) {
      await this.writeAll(kept);
      message ??= await this.failure();
    }
    while (message !== undefined && kept.length > 0) {
      const named = kept.length === 1 ? kept[0] : findNamedChange(message, kept);
      if (!named) {
        await this.restoreAll(kept);
        await this.bisect(kept, failures, message);
        break;
      }
      await this.restore(named);
      kept = kept.filter((change) => change !== named);
      if (kept.length === 0) failures.set(named.siteKey, message);
      else suspects.push(named);
      message = kept.length > 0 ? await this.failure() : undefined;
    }
    for (const suspect of suspects) await this.settleOne(suspect, failures);
  }

  /** Halves that pass stay written; single changes that fail are rolled back. */
  private async bisect(group: Change[], failures: Failures, knownFailure?: string): Promise<void> {
    let message = knownFailure;
    if (message === undefined) {
      await this.writeAll(group);
      message = await this.failure();
      if (message === undefined) return;
      await this.restoreAll(group);
    }
    if (group.length === 1) {
      failures.set(group[0].siteKey, message);
      return;
    }
    const middle = Math.ceil(group.length / 2);
    await this.bisect(group.slice(0, middle), failures);
    await this.bisect(group.slice(middle), failures);
  }

  private async settleOne(change: Change, failures: Failures): Promise<void> {
    await this.write(change);
    const message = await this.failure();
    if (message === undefined) return;
    await this.restore(change);
    failures.set(change.siteKey, message);
  }

  /**
   * With our changes rolled back, `nginx -t` should pass. When it does not,
   * some file we did not write is broken (typically hand-edited). We move such
   * a site file aside instead of refusing to work: otherwise one broken file
   * would block every certificate and logging change for every site, and the
   * next nginx restart would fail and take all of them offline. The cost is
   * that the quarantined site drops out at the next reload, so the caller gets
   * its name back to re-render it from its records. Main-config breakage is
   * not ours to touch and blocks the change instead.
   */
  private async clearForeignBreakage(changes: Change[]): Promise<{ quarantined: QuarantinedFile[]; blocked?: string }> {
    const moved: QuarantinedFile[] = [];
    for (;;) {
      const baseline = await this.failure();
      if (baseline === undefined) break;
      const culprit = await this.findCulprit(baseline);
      if (!culprit) {
        await Promise.all(moved.map(({ file, movedTo }) => fs.rename(movedTo, file)));
        return { quarantined: [], blocked: baseline };
      }
      moved.push(await this.quarantine(culprit, baseline));
    }
    const quarantined = await this.releaseInnocent(moved);
    for (const change of changes) {
      if (quarantined.some(({ file }) => file === change.path)) change.previous = undefined;
    }
    return { quarantined };
  }

  /** nginx sometimes names the wrong file (e.g. the second `listen` of a clash); put back any it did not need. */
  private async releaseInnocent(moved: QuarantinedFile[]): Promise<QuarantinedFile[]> {
    const kept: QuarantinedFile[] = [];
    for (const entry of [...moved].reverse()) {
      await fs.rename(entry.movedTo, entry.file);
      if ((await this.failure()) === undefined) continue;
      await fs.rename(entry.file, entry.movedTo);
      kept.unshift(entry);
    }
    return kept;
  }

  private async findCulprit(message: string): Promise<string | undefined> {
    const sitesDir = resolve(this.options.sitesDir);
    const isSiteFile = (file: string) => dirname(resolve(file)) === sitesDir && file.endsWith('.conf');
    const named = [...message.matchAll(/ in (\/\S+?):\d+/g)].map((match) => match[1]).find(isSiteFile);
    return named ?? this.findReferencingFile(message);
  }

  /** For errors that name a resource instead of a config file (e.g. a missing certificate). */
  private async findReferencingFile(message: string): Promise<string | undefined> {
    const quoted = [...message.matchAll(/"(\/[^"]+)"/g)].map((match) => match[1]);
    if (quoted.length === 0) return undefined;
    const names = (await fs.readdir(this.options.sitesDir)).filter((name) => name.endsWith('.conf'));
    const hits: string[] = [];
    for (const name of names) {
      const file = join(this.options.sitesDir, name);
      const text = await fs.readFile(file, 'utf8').catch(() => '');
      if (quoted.some((path) => text.includes(path))) hits.push(file);
    }
    return hits.length === 1 ? hits[0] : undefined;
  }

  private async quarantine(file: string, nginxMessage: string): Promise<QuarantinedFile> {
    const movedTo = `${file}.broken`;
    await fs.rename(file, movedTo);
    const stem = basename(file, '.conf');
    return { file, movedTo, siteKey: SITE_KEY.test(stem) ? stem : undefined, nginxMessage };
  }

  private async writeAll(changes: Change[]): Promise<void> {
    const writes = changes.filter((change) => change.desired !== undefined);
    if (writes.length < MANY_FILES) {
      await Promise.all(changes.map((change) => this.write(change)));
      return;
    }
    // a storm's thousand files: one flush of the file system instead of a thousand fsyncs
    await this.files.writeAtomicMany(
      writes.map((change) => ({ path: change.path, data: change.desired! })),
      () => this.syncSitesDir(),
    );
    await Promise.all(changes.filter((change) => change.desired === undefined).map((change) => this.write(change)));
  }

  private async syncSitesDir(): Promise<void> {
    const result = await this.processes.run('sync', ['--file-system', this.options.sitesDir], { timeoutMs: TEST_TIMEOUT_MS });
    if (result.code !== 0) throw new Error(`sync of ${this.options.sitesDir} failed: ${result.stderr.trim().slice(0, 200)}`);
  }

  private async restoreAll(changes: Change[]): Promise<void> {
    await Promise.all(changes.map((change) => this.restore(change)));
  }

  private write(change: Change): Promise<void> {
    return change.desired === undefined ? this.files.remove(change.path) : this.files.writeAtomic(change.path, change.desired);
  }

  private restore(change: Change): Promise<void> {
    return change.previous === undefined ? this.files.remove(change.path) : this.files.writeAtomic(change.path, change.previous);
  }

  /** Runs `nginx -t`: undefined when the configuration passes, else nginx's complaint. */
  private async failure(): Promise<string | undefined> {
    const result = await this.processes.run(this.options.bin, ['-t', '-q', '-c', this.options.conf], {
      timeoutMs: TEST_TIMEOUT_MS,
    });
    return result.code === 0 ? undefined : nginxErrors(result.stderr);
  }

  /**
   * Runs under the lock and waits for the switch-over, because the master
   * reads the files after the signal: a test file written meanwhile could spoil it.
   */
  private async reloadNow(): Promise<void> {
    const master = await this.masterPid();
    const before = master ? await childPids(master) : undefined;
    if (master) {
      // What `nginx -s reload` does, without parsing the whole configuration once more just to find
      // the pid (with a thousand sites that parse costs as much as the test): the master re-reads it on SIGHUP.
      // The pid is checked to be an nginx master first: a stale pid file must not signal a stranger.
      await this.signalMaster(master);
    } else {
      const result = await this.processes.run(this.options.bin, ['-s', 'reload', '-c', this.options.conf], { timeoutMs: 30_000 });
      if (result.code !== 0) throw new NginxReloadError(`nginx reload failed: ${nginxErrors(result.stderr)}`);
    }
    this.reloadsDone += 1;
    const signalled = Date.now();
    if (before) await waitForOldWorkersToRetire(before);
    this.lastSwitchMs = Date.now() - signalled;
  }

  /**
   * Under the lock, with the batch's files written: signals the master and
   * tells whether it switched to them (new workers started, the old ones
   * retired) or `refused` them (it went back to sleep without new workers, as
   * a master does that logged why it cannot load a configuration and kept the
   * running one). Anything but `switched` has the caller test the files, as
   * it does for a single site.
   */
  private async reloadUntested(): Promise<UntestedReload> {
    const master = await this.masterPid();
    if (!master) return 'no master';
    const before = await childPids(master);
    try {
      await this.signalMaster(master);
    } catch {
      return 'no master';
    }
    const signalled = Date.now();
    const outcome = await masterOutcome(master, before);
    if (outcome !== 'switched') return outcome;
    // new workers but old ones that stay (one crashed and was replaced while the signal was on its way): test, to be sure
    if (!(await waitForOldWorkersToRetire(before).then(() => true, () => false))) return 'timed out';
    this.reloadsDone += 1;
    this.lastSwitchMs = Date.now() - signalled;
    return 'switched';
  }

  private async signalMaster(pid: number): Promise<void> {
    const cmdline = (await this.files.readIfExists(`/proc/${pid}/cmdline`))?.toString('utf8') ?? '';
    if (!cmdline.startsWith('nginx: master')) throw new NginxReloadError(`nginx reload failed: no nginx master runs as pid ${pid} (its pid file is stale)`);
    try {
      process.kill(pid, 'SIGHUP');
    } catch (error) {
      throw new NginxReloadError(`nginx reload failed: the master (pid ${pid}) could not be signalled: ${(error as Error).message}`);
    }
  }

  private async masterPid(): Promise<number | undefined> {
    const pidFile = this.options.pidFile ?? (await this.pidFileFromConf());
    if (!pidFile) return undefined;
    const text = await this.files.readIfExists(pidFile);
    const pid = Number(text?.toString('utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  private async pidFileFromConf(): Promise<string | undefined> {
    const conf = await this.files.readIfExists(this.options.conf);
    return conf?.toString('utf8').match(/^\s*pid\s+([^;\s]+)\s*;/m)?.[1];
  }
}

/**
 * Shares one run among all requests that arrive within `windowMs` of the
 * first, or while a run is pending. The run calls `claim()` once it holds the
 * lock: every request made before that point is covered by this run.
 */
class ReloadCoalescer {
  private waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly windowMs: number,
    private readonly run: (claim: () => void) => Promise<void>,
  ) {}

  request(): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      this.waiting.push({ resolve: resolvePromise, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => void this.flush(), this.windowMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    let batch: typeof this.waiting = [];
    const claim = () => {
      batch = this.waiting;
      this.waiting = [];
    };
    try {
      await this.run(claim);
      batch.forEach(({ resolve: done }) => done());
    } catch (error) {
      batch.forEach(({ reject }) => reject(error));
    } finally {
      this.running = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }
}

/** The change whose file nginx names, or whose new content holds a path nginx quotes (e.g. a missing certificate). */
function findNamedChange(message: string, changes: Change[]): Change | undefined {
  const files = [...message.matchAll(/ in (\/\S+?):\d+/g)].map((match) => resolve(match[1]));
  const byFile = changes.find((change) => files.includes(resolve(change.path)));
  if (byFile) return byFile;
  const quoted = [...message.matchAll(/"(\/[^"]+)"/g)].map((match) => match[1]);
  const referencing = changes.filter((change) => quoted.some((path) => change.desired?.includes(path)));
  return referencing.length === 1 ? referencing[0] : undefined;
}

function unchanged(change: Change): boolean {
  if (change.desired === undefined) return change.previous === undefined;
  return change.previous !== undefined && change.previous.equals(Buffer.from(change.desired));
}

function assertDistinct(changes: Change[]): void {
  const keys = new Set(changes.map(({ siteKey }) => siteKey));
  if (keys.size !== changes.length) throw new Error('applySites: the same site key appears twice');
}

/** The [emerg]/[alert]/[crit] lines without their timestamp and pid prefix. */
function nginxErrors(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((line) => /\[(emerg|alert|crit|error)\]/.test(line))
    .map((line) => line.replace(/^.*?\[(emerg|alert|crit|error)\]\s*(\d+#\d+:\s*)?/, ''));
  return (lines.length > 0 ? lines.join('\n') : stderr.trim()).slice(0, 4000);
}

async function childPids(pid: number): Promise<Set<number>> {
  const listed = await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => undefined);
  if (listed !== undefined) return new Set(listed.split(/\s+/).filter(Boolean).map(Number));
  const pids = (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const children = new Set<number>();
  for (const candidate of pids) {
    const stat = await fs.readFile(`/proc/${candidate}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === pid) children.add(Number(candidate));
  }
  return children;
}

/** A master sleeping this many polls in a row (10 ms apart) after a reload signal, with no new worker, has refused the new configuration. */
const REFUSED_AFTER_POLLS = 10;

/**
 * After a reload signal: `switched` once the master has started a worker it
 * did not have before; `refused` once it sleeps again without one. The signal
 * wakes the master, and it does not sleep again until the reload has
 * succeeded or failed, so a master still parsing a large configuration is
 * waited for as long as `nginx -t` would be.
 */
async function masterOutcome(master: number, before: Set<number>): Promise<'switched' | 'refused' | 'timed out'> {
  const deadline = Date.now() + TEST_TIMEOUT_MS;
  let sleeping = 0;
  while (Date.now() < deadline) {
    const children = await childPids(master);
    if ([...children].some((pid) => !before.has(pid))) return 'switched';
    const state = await processState(master);
    if (state === undefined) return 'refused';
    sleeping = state === 'S' ? sleeping + 1 : 0;
    if (sleeping >= REFUSED_AFTER_POLLS) return 'refused';
    await new Promise((done) => setTimeout(done, 10));
  }
  return 'timed out';
}

/** The one-letter state in /proc/<pid>/stat (R running, S sleeping, D disk, Z zombie); undefined when the process is gone. */
async function processState(pid: number): Promise<string | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/**
 * The master starts new workers first and tells the old ones to stop about
 * 100 ms later; until then an old worker may still accept a connection and
 * answer with the old configuration. So the reload is done when every old
 * worker is gone or has retitled itself "... is shutting down".
 */
async function waitForOldWorkersToRetire(old: Set<number>): Promise<void> {
  const deadline = Date.now() + RELOAD_SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const retired = await Promise.all([...old].map(isRetired));
    if (retired.every(Boolean)) return;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new NginxReloadError(
    `nginx did not switch to the new configuration within ${RELOAD_SETTLE_TIMEOUT_MS / 1000}s; see its error log`,
  );
}

async function isRetired(pid: number): Promise<boolean> {
  const title = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return title === '' || title.includes('shutting down');
}
