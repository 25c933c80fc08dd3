import { join } from 'node:path';
import { ACME_TOKEN, HeldFileValue, PurgedFileValue, ServedValue } from '../../jobs/hosts.jobs.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { ServedCertificateProbe } from '../core/adapters/served-certificate.adapter.js';
import { LogFilesAdapter, PurgedFile } from '../logging/log-files.adapter.js';
import { daysCovered, HeldFile, retentionPlan } from '../logging/log-retention.js';
import { LoggingModeName, siteLogDir } from '../logging/logging-directives.js';
import { checkedDomain } from '../sites/domain-name.js';
import { challengeDir } from '../web/vhost.renderer.js';

/** Rounds of "delete, look again" before deciding something keeps writing. */
const PURGE_ROUNDS = 3;

/**
 * The agent's effects on its host other than nginx files: challenge answers,
 * the visitor logs of its sites, and handshakes to its own nginx. Each takes
 * names the control plane sent and checks them again before they touch a path.
 */
export class HostEffects {
  constructor(
    private readonly files: FilesAdapter,
    private readonly logFiles: LogFilesAdapter,
    private readonly probe: ServedCertificateProbe,
    private readonly config: AppConfig,
  ) {}

  async putChallenge(token: string, keyAuthorization: string): Promise<void> {
    if (typeof keyAuthorization !== 'string' || !/^[A-Za-z0-9_.-]{1,1024}$/.test(keyAuthorization)) throw new Error('not a key authorization');
    await this.files.writeAtomic(this.challengePath(token), keyAuthorization, 0o644);
  }

  async removeChallenge(token: string): Promise<void> {
    await this.files.remove(this.challengePath(token));
  }

  /**
   * Deletes every file in the site's log folder, rotated and compressed ones
   * included. In `off` nothing may come back, so the folder is looked at again
   * until it stays empty; in `anonymized` new (anonymised) lines are expected.
   */
  async purgeLogs(siteKey: string, mode: 'off' | 'anonymized'): Promise<PurgedFileValue[]> {
    const dir = this.logDir(siteKey);
    const purged: PurgedFile[] = [];
    let empty = false;
    for (let round = 0; round < (mode === 'off' ? PURGE_ROUNDS : 1) && !empty; round += 1) {
      const files = await this.logFiles.list(dir);
      empty = files.length === 0;
      const removed = await this.logFiles.remove(dir, files.map((file) => file.name));
      purged.push(...removed.map((file) => ({ ...file, ...daysOf(files, file.name) })));
    }
    if (mode === 'off' && !empty && (await this.logFiles.list(dir)).length > 0) {
      throw new Error(`log files keep reappearing in the folder of ${siteKey} after ${PURGE_ROUNDS} purges`);
    }
    return purged;
  }

  async heldLogs(siteKey: string): Promise<HeldFileValue[]> {
    return (await this.logFiles.list(this.logDir(siteKey))).map((file) => ({ ...file, modifiedAt: file.modifiedAt.toISOString() }));
  }

  /** One site's failure is reported and left for the next run; it does not stop the others. */
  async retention(
    sites: Array<{ siteId: string; siteKey: string; mode: LoggingModeName; retentionDays: number }>,
    now: Date,
  ): Promise<Array<{ siteId: string; files: PurgedFileValue[]; error?: string }>> {
    const out: Array<{ siteId: string; files: PurgedFileValue[]; error?: string }> = [];
    for (const site of sites) {
      try {
        const dir = this.logDir(site.siteKey);
        const plan = retentionPlan(site.mode, site.retentionDays, await this.logFiles.list(dir), now);
        const removed = await this.logFiles.remove(dir, plan.remove.map((file) => file.name));
        const emptied = await Promise.all(plan.empty.map((file) => this.logFiles.empty(dir, file.name)));
        const covered = new Map([...plan.remove, ...plan.empty].map((file) => [file.name, daysCovered(file)]));
        const files: PurgedFile[] = [
          ...removed,
          ...emptied.filter((file): file is PurgedFile => file !== undefined).map((file) => ({ ...file, emptied: true })),
        ].map((file) => ({ ...file, ...covered.get(file.name) }));
        out.push({ siteId: site.siteId, files });
      } catch (error) {
        out.push({ siteId: site.siteId, files: [], error: (error as Error).message });
      }
    }
    return out;
  }

  /** One handshake per name to this host's own nginx, as a visitor's browser makes it. */
  async served(domains: string[], ca?: string): Promise<Array<ServedValue | { error: string }>> {
    const host = this.probeHost();
    return Promise.all(
      domains.map((domain) =>
        this.probe
          .probe({ host, port: this.config.siteHttpsPort, servername: checkedDomain(domain), ca })
          .catch((error: Error) => ({ error: error.message })),
      ),
    );
  }

  private logDir(siteKey: string): string {
    return siteLogDir(this.config.accessLogDir, checkedDomain(siteKey));
  }

  private challengePath(token: string): string {
    if (typeof token !== 'string' || !ACME_TOKEN.test(token)) throw new Error('the CA sent a challenge token that is not a plain name');
    return join(challengeDir(this.config.stateDir), token);
  }

  private probeHost(): string {
    const address = this.config.siteListenAddresses[0] ?? '';
    return address === '' ? '127.0.0.1' : address.replace(/^\[(.*)\]$/, '$1');
  }
}

function daysOf(files: HeldFile[], name: string): { firstDay?: string; lastDay?: string } {
  const file = files.find((candidate) => candidate.name === name);
  return file ? daysCovered(file) : {};
}
