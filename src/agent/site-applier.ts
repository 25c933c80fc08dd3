import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { SiteApplyValue, SiteDesiredState } from '../../jobs/hosts.jobs.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { type BatchTiming, NginxAdapter, SiteConfig } from '../core/adapters/nginx.adapter.js';
import type { AgentPrivateKeys } from '../core/crypto/agent-keys.js';
import { loggingHttpConf } from '../logging/logging-directives.js';
import { checkedDomain } from '../sites/domain-name.js';
import { installCertificateFiles, removeCertificateFiles } from '../web/certificate-files.js';
import { DefenceFiles } from '../web/defence-files.js';
import { passKeyFile } from '../web/defence-assets.js';
import { siteLogDir } from '../logging/logging-directives.js';
import { SiteFolders } from '../web/site-folders.js';
import { DEFAULT_SERVER_KEY, renderDefaultServer } from '../web/default-server.renderer.js';
import { challengeDir, renderVhost } from '../web/vhost.renderer.js';
import { RevisionBook } from './revision-book.js';

/** The least a batch waits for changes that keep coming (see fire()) … */
const STREAM_QUIET_MS = 100;
/** … and the least it may wait in all. */
const STREAM_WAIT_MS = 1_500;

/** The http-level file every site file relies on (log formats and maps). */
export const COMMON_CONF_KEY = '00-hostkeeper-common';

interface Waiter {
  state: SiteDesiredState;
  resolve: (result: SiteApplyValue) => void;
}

/**
 * The agent's half of serving a site: renders its nginx file from the
 * desired state the control plane sent, writes its certificate and pass key
 * (opened with this agent's own key), and applies it. Requests are gathered
 * into batches: a storm of changes costs one reload (one parse of the configuration) per
 * batch, not one per site. A revision older than the one in force is never
 * applied over it.
 */
export class SiteApplier {
  private readonly logger = new Logger(SiteApplier.name);
  private pending: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();
  private lastArrival = 0;
  private waitingSince = 0;
  private lastBatchMs = 0;
  /** Sites whose document root and log folder this process has put in place (forgotten when the site leaves). */
  private readonly foldersReady = new Set<string>();
  private readonly defenceFiles: DefenceFiles;
  private readonly siteFolders: SiteFolders;
  private readonly reloadDebt: ReloadDebt;

  constructor(
    private readonly files: FilesAdapter,
    private readonly nginx: NginxAdapter,
    private readonly keys: AgentPrivateKeys,
    private readonly revisions: RevisionBook,
    private readonly config: AppConfig,
  ) {
    this.defenceFiles = new DefenceFiles(files, config.stateDir, config.defence);
    this.siteFolders = new SiteFolders(files, config);
    this.reloadDebt = new ReloadDebt(files, config.stateDir);
  }

  get reloadCount(): number {
    return this.nginx.reloadCount;
  }

  /** The shared files (log formats, hostkeeper's default server) are in place before any site changes. */
  start(): void {
    this.schedule();
  }

  /**
   * No new batch starts, and the one in flight finishes (its files, reload and
   * revision book written): nothing of this agent writes to the host after it
   * stopped. States still waiting are answered as not applied.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight.catch(() => undefined);
    for (const { state, resolve } of this.pending.splice(0)) {
      resolve({ siteId: state.siteId, revision: state.revision, ok: false, error: 'the agent is stopping', tls: false });
    }
  }

  apply(state: SiteDesiredState): Promise<SiteApplyValue> {
    return new Promise((resolve) => {
      this.pending.push({ state, resolve });
      this.lastArrival = Date.now();
      this.schedule();
    });
  }

  /**
   * Takes everything of a site off this host (it moved, or went): its nginx
   * file (tested and reloaded without it), certificate and key, pass key,
   * visitor logs and document root, and its entry in the revision book.
   * Idempotent: what is already gone stays gone.
   */
  async remove(siteId: string, siteKeyAsked: string): Promise<{ siteId: string; removed: string[] }> {
    const siteKey = checkedDomain(siteKeyAsked);
    // throws NginxConfigError (file put back) when nginx would not run without it
    await this.nginx.removeSite(siteKey);
    const paths = [passKeyFile(this.config.stateDir, siteKey), siteLogDir(this.config.accessLogDir, siteKey), join(this.config.sitesRoot, siteKey)];
    await removeCertificateFiles(this.files, this.config.stateDir, siteKey);
    for (const path of paths) await fs.rm(path, { recursive: true, force: true });
    await this.revisions.forget(siteId);
    this.foldersReady.delete(siteKey);
    return { siteId, removed: ['vhost', 'certificate', 'pass key', 'logs', 'document root'] };
  }

  private schedule(): void {
    if (this.timer || this.flushing || this.stopped) return;
    this.waitingSince = Date.now();
    // a little random delay: hosts that get the same storm do not all reload in the same second
    const jitter = Math.floor(Math.random() * this.config.fleet.reloadJitterMs);
    this.timer = setTimeout(() => this.fire(), this.config.nginx.reloadWindowMs + jitter);
  }

  /**
   * A batch costs one reload (a parse) whatever its size (seconds,
   * with a thousand sites), so while changes are still coming in, the batch
   * waits for them to pause: for a quarter of what the last batch cost (at
   * least 100 ms, at most 1 s), and in all no longer than the last batch took
   * (at least 1.5 s, at most 5 s). A storm's first arrivals do not go alone,
   * leaving the rest to a second batch; on a host with few sites a batch is
   * cheap and so is the wait.
   */
  private fire(): void {
    const now = Date.now();
    const quiet = Math.min(Math.max(this.lastBatchMs / 4, STREAM_QUIET_MS), 1_000);
    const patience = Math.min(Math.max(this.lastBatchMs, STREAM_WAIT_MS), 5_000);
    if (now - this.lastArrival < quiet && now - this.waitingSince < patience) {
      this.timer = setTimeout(() => this.fire(), quiet - (now - this.lastArrival));
      return;
    }
    this.timer = undefined;
    this.inFlight = this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    const started = Date.now();
    try {
      const { values, phases } = await this.applyBatch(batch.map(({ state }) => state), started).catch((error: Error) => ({
        values: batch.map(({ state }): SiteApplyValue => ({ siteId: state.siteId, revision: state.revision, ok: false, error: error.message, tls: false })),
        phases: undefined,
      }));
      batch.forEach(({ resolve }, index) => resolve(values[index]));
      const failed = values.filter((result) => !result.ok).length;
      // what a batch that really tested and reloaded nginx cost (an unchanged one costs next to nothing)
      if (phases?.nginxTiming) this.lastBatchMs = Date.now() - started;
      this.logger.log(`applied a batch of ${batch.length} site state(s) in ${Date.now() - started} ms${failed ? ` (${failed} failed)` : ''}${describePhases(phases)}`);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  private async applyBatch(states: SiteDesiredState[], started: number): Promise<{ values: SiteApplyValue[]; phases: BatchPhases }> {
    // the newest revision of each site in the batch wins; older ones answer with it
    const newest = new Map<string, SiteDesiredState>();
    for (const state of states) {
      const seen = newest.get(state.siteId);
      if (!seen || seen.revision < state.revision) newest.set(state.siteId, state);
    }
    const results = new Map<string, SiteApplyValue>();
    const entries: Array<SiteConfig & { state: SiteDesiredState; tls: boolean }> = [];
    let forceReload = false;
    await Promise.all(
      [...newest.values()].map(async (state) => {
        const inForce = this.revisions.get(state.siteId);
        if (inForce && inForce.revision > state.revision) {
          results.set(state.siteId, { siteId: state.siteId, revision: inForce.revision, ok: true, tls: inForce.tls });
          return;
        }
        try {
          entries.push({ state, ...(await this.prepare(state)) });
          forceReload ||= state.forceReload === true;
        } catch (error) {
          results.set(state.siteId, { siteId: state.siteId, revision: state.revision, ok: false, error: (error as Error).message, tls: false });
        }
      }),
    );
    const prepared = Date.now();
    const common: SiteConfig = { siteKey: COMMON_CONF_KEY, config: loggingHttpConf() };
    const changed = await this.changedOnly([common, this.defaultServer(), ...entries]);
    // A reload that failed, or a process that died between writing files and reloading, leaves
    // the new files on disk and the old configuration running: the debt is kept on disk and paid
    // by the next batch, even one whose files are all unchanged.
    const owed = await this.reloadDebt.owed();
    if (changed.length > 0) await this.reloadDebt.incur();
    const compared = Date.now();
    const outcome = changed.length > 0 ? await this.nginx.applySites(changed) : { results: [], quarantined: [], timing: undefined };
    const phases: BatchPhases = { started, prepared, compared, nginx: Date.now(), nginxTiming: outcome.timing };
    if ((forceReload || owed) && !outcome.results.some((result) => result.ok)) await this.nginx.reload();
    await this.reloadDebt.paid();
    const failures = new Map(outcome.results.flatMap((result) => (result.ok ? [] : [[result.siteKey, result.error.message] as const])));
    const shared = failures.get(DEFAULT_SERVER_KEY) ?? failures.get(COMMON_CONF_KEY);
    if (shared) this.logger.warn(`hostkeeper's shared nginx files are not in place (is there another default_server on the site ports?): ${shared}`);
    const quarantined = outcome.quarantined.map(({ siteKey, file, movedTo, nginxMessage }) => ({ ...(siteKey ? { siteKey } : {}), file, movedTo, nginxMessage }));
    for (const entry of entries) {
      const error = failures.get(entry.siteKey);
      const { siteId, revision } = entry.state;
      results.set(siteId, error ? { siteId, revision, ok: false, error, tls: false } : { siteId, revision, ok: true, tls: entry.tls, loggingMode: entry.state.loggingMode });
    }
    const applied = entries.filter((entry) => !failures.has(entry.siteKey));
    // a certificate no longer in the site's state leaves the disk once nginx runs without it
    await Promise.all(applied.filter((entry) => !entry.tls).map((entry) => removeCertificateFiles(this.files, this.config.stateDir, entry.siteKey)));
    await this.revisions.record(applied.map(({ state, tls }) => ({ siteId: state.siteId, revision: state.revision, tls })));
    if (quarantined.length > 0) this.logger.warn(`nginx rejected ${quarantined.length} hand-edited file(s); moved aside: ${quarantined.map((q) => q.file).join(', ')}`);
    const values = states.map((state, index) => {
      const result = results.get(state.siteId)!;
      return index === 0 && quarantined.length > 0 ? { ...result, quarantined } : result;
    });
    return { values, phases };
  }

  private async prepare(state: SiteDesiredState): Promise<SiteConfig & { tls: boolean }> {
    const siteKey = checkedDomain(state.siteKey);
    const domains = state.domains.map(checkedDomain);
    const documentRoot = join(this.config.sitesRoot, siteKey, 'public');
    // once per site while this agent runs: a storm's second change to a site costs no folder checks
    if (!this.foldersReady.has(siteKey)) {
      await Promise.all([this.ensureDocumentRoot(documentRoot, siteKey), this.siteFolders.ensureLogDir(siteKey)]);
      this.foldersReady.add(siteKey);
    }
    const tls = state.tls
      ? {
          ...(await installCertificateFiles(this.files, this.config.stateDir, siteKey, state.tls.chainPem, () => this.keys.open(state.tls!.keySealed))),
          hsts: state.tls.hsts,
          serial: state.tls.serial,
        }
      : undefined;
    const defence = state.defence
      ? await this.defenceFiles.prepare(siteKey, {
          level: state.defence.level,
          exemptPaths: state.defence.exemptPaths,
          shieldRanges: state.defence.shieldRanges,
          passKey: state.defence.passKeySealed ? () => this.keys.open(state.defence!.passKeySealed!) : undefined,
        })
      : undefined;
    const config = renderVhost({
      siteKey,
      domains,
      documentRoot,
      stateDir: this.config.stateDir,
      accessLogDir: this.config.accessLogDir,
      loggingMode: state.loggingMode,
      listenAddresses: this.config.siteListenAddresses,
      httpPort: this.config.siteHttpPort,
      httpsPort: this.config.siteHttpsPort,
      tls,
      defence,
    });
    return { siteKey, config, tls: tls !== undefined };
  }

  private defaultServer(): SiteConfig {
    const config = renderDefaultServer({
      listenAddresses: this.config.siteListenAddresses,
      httpPort: this.config.siteHttpPort,
      httpsPort: this.config.siteHttpsPort,
      challengeDir: challengeDir(this.config.stateDir),
    });
    return { siteKey: DEFAULT_SERVER_KEY, config };
  }

  /** Unchanged files are left out, so re-applying an unchanged site costs no test and no reload. */
  private async changedOnly<T extends SiteConfig>(entries: T[]): Promise<T[]> {
    const current = await Promise.all(entries.map((entry) => this.files.readIfExists(join(this.config.nginx.sitesDir, `${entry.siteKey}.conf`))));
    return entries.filter((entry, index) => current[index]?.toString('utf8') !== entry.config);
  }

  /** A new site gets a page saying so, rather than nginx's 403 for an empty folder. */
  private async ensureDocumentRoot(documentRoot: string, siteKey: string): Promise<void> {
    await this.files.ensureDir(documentRoot);
    if ((await fs.readdir(documentRoot)).length > 0) return;
    await this.files.writeAtomic(join(documentRoot, 'index.html'), placeholderPage(siteKey));
  }
}

/** "Files written, reload not yet done", kept on the host's disk so a restart does not forget it. */
class ReloadDebt {
  constructor(
    private readonly files: FilesAdapter,
    private readonly stateDir: string,
  ) {}

  private get path(): string {
    return join(this.stateDir, 'agent', 'reload-owed');
  }

  async owed(): Promise<boolean> {
    return (await this.files.readIfExists(this.path)) !== undefined;
  }

  incur(): Promise<void> {
    return this.files.writeAtomic(this.path, `${new Date().toISOString()}\n`, 0o600);
  }

  paid(): Promise<void> {
    return this.files.remove(this.path);
  }
}

function placeholderPage(siteKey: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${siteKey}</title></head>\n<body><h1>${siteKey}</h1><p>This site is hosted by hostkeeper; its content has not been uploaded yet.</p></body></html>\n`;
}

/** When each step of a batch ended; `nginxTiming` is set when nginx had files to take (a test, a reload or both). */
interface BatchPhases {
  started: number;
  prepared: number;
  compared: number;
  nginx: number;
  nginxTiming?: BatchTiming;
}

/** The batch log line's account of where the time went (nothing for a batch that failed before nginx). */
function describePhases(phases: BatchPhases | undefined): string {
  if (!phases) return '';
  const { started, prepared, compared, nginx, nginxTiming: t } = phases;
  const detail = t ? ` (test ${t.testMs}, reload ${t.reloadMs}, of which switch-over ${t.switchMs}; reload before test: ${t.untested})` : '';
  return `: files ${prepared - started} ms, compare ${compared - prepared} ms, nginx test and reload ${nginx - compared} ms${detail}`;
}
