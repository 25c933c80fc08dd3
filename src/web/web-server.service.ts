import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { NginxAdapter, QuarantinedFile, SiteConfig } from '../core/adapters/nginx.adapter.js';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { loggingHttpConf } from '../logging/logging-directives.js';
import { installCertificateFiles, removeCertificateFiles } from './certificate-files.js';
import { passKeyFile } from './defence-assets.js';
import { DefenceFiles } from './defence-files.js';
import { DEFAULT_SERVER_KEY, renderDefaultServer } from './default-server.renderer.js';
import { SiteFolders } from './site-folders.js';
import { challengeDir, renderVhost } from './vhost.renderer.js';

export type SiteApplyResult =
  | { siteId: string; ok: true; tls: boolean; siteKey: string }
  | { siteId: string; ok: false; error: string; missing?: true };

/** The http-level file every site file relies on (log formats and maps). */
export const COMMON_CONF_KEY = '00-hostkeeper-common';

interface Waiter {
  resolve: (result: SiteApplyResult) => void;
}

type LoadedSite = Awaited<ReturnType<WebServerService['load']>>[number];

/**
 * Renders each site's nginx file from its rows in Postgres and applies it.
 * Requests are gathered into batches: every site asked for while a batch is
 * being applied goes into the next one, so a storm of certificate installs
 * costs one `nginx -t` and one reload per batch instead of one per site.
 */
@Injectable()
export class WebServerService implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebServerService.name);
  private pending = new Map<string, Waiter[]>();
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private readonly defenceFiles: DefenceFiles;
  private readonly siteFolders: SiteFolders;

  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretsService,
    private readonly files: FilesAdapter,
    private readonly audit: AuditService,
    private readonly nginx: NginxAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.defenceFiles = new DefenceFiles(files, secrets, config.stateDir, config.defence);
    this.siteFolders = new SiteFolders(files, config);
  }

  /** An empty batch still writes the shared files: the default server is in place before any site changes. */
  onApplicationBootstrap(): void {
    this.schedule();
  }

  get reloadCount(): number {
    return this.nginx.reloadCount;
  }

  /** Renders and applies one site's vhost (HTTP only, or HTTP + HTTPS once a certificate is current). */
  apply(siteId: string): Promise<SiteApplyResult> {
    return new Promise((resolve) => {
      const waiters = this.pending.get(siteId) ?? [];
      waiters.push({ resolve });
      this.pending.set(siteId, waiters);
      this.schedule();
    });
  }

  /**
   * Like apply(), but answers at once when the site's file on disk is already
   * what its records render to: confirming that costs no wait for a batch.
   */
  async ensureApplied(siteId: string): Promise<SiteApplyResult> {
    const [site] = await this.load([siteId]);
    const entry = site ? await this.prepare(site).catch(() => undefined) : undefined;
    if (entry && (await this.changedOnly([entry])).length === 0) return { siteId, ok: true, tls: entry.tls, siteKey: entry.siteKey };
    return this.apply(siteId);
  }

  /**
   * Renders the site again and reloads even when its file looks unchanged:
   * a reload that never happened leaves the right file on disk and the old
   * certificate in nginx's memory.
   */
  async repair(siteId: string): Promise<SiteApplyResult> {
    const result = await this.apply(siteId);
    await this.nginx.reload();
    return result;
  }

  applyMany(siteIds: string[]): Promise<SiteApplyResult[]> {
    return Promise.all([...new Set(siteIds)].map((siteId) => this.apply(siteId)));
  }

  /** Takes the site's file away entirely (the site stops being served). */
  async remove(siteKey: string): Promise<void> {
    await this.nginx.removeSite(siteKey);
    await removeCertificateFiles(this.files, this.config.stateDir, siteKey);
    await this.files.remove(passKeyFile(this.config.stateDir, siteKey));
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => void this.flush(), this.config.nginx.reloadWindowMs);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    try {
      const results = await this.applyBatch([...batch.keys()]).catch((error: Error) =>
        [...batch.keys()].map((siteId): SiteApplyResult => ({ siteId, ok: false, error: error.message })),
      );
      for (const result of results) batch.get(result.siteId)?.forEach(({ resolve }) => resolve(result));
    } finally {
      this.flushing = false;
      if (this.pending.size > 0) this.schedule();
    }
  }

  private async applyBatch(siteIds: string[]): Promise<SiteApplyResult[]> {
    const sites = await this.load(siteIds);
    const found = new Set(sites.map((site) => site.id));
    const results = new Map<string, SiteApplyResult>(
      siteIds.filter((id) => !found.has(id)).map((siteId) => [siteId, { siteId, ok: false, error: 'the site does not exist', missing: true }]),
    );
    const entries: Array<SiteConfig & { siteId: string; tls: boolean }> = [];
    await Promise.all(
      sites.map(async (site) => {
        try {
          entries.push({ siteId: site.id, ...(await this.prepare(site)) });
        } catch (error) {
          results.set(site.id, { siteId: site.id, ok: false, error: (error as Error).message });
        }
      }),
    );
    const common: SiteConfig = { siteKey: COMMON_CONF_KEY, config: loggingHttpConf() };
    const changed = await this.changedOnly([common, this.defaultServer(), ...entries]);
    const outcome = changed.length > 0 ? await this.nginx.applySites(changed) : { results: [], quarantined: [] };
    const failures = new Map(outcome.results.flatMap((result) => (result.ok ? [] : [[result.siteKey, result.error.message] as const])));
    const shared = failures.get(DEFAULT_SERVER_KEY) ?? failures.get(COMMON_CONF_KEY);
    if (shared) this.logger.warn(`hostkeeper's shared nginx files are not in place (is there another default_server on the site ports?): ${shared}`);
    for (const entry of entries) {
      const error = failures.get(entry.siteKey);
      results.set(entry.siteId, error ? { siteId: entry.siteId, ok: false, error } : { siteId: entry.siteId, ok: true, tls: entry.tls, siteKey: entry.siteKey });
    }
    if (outcome.quarantined.length > 0) await this.reportQuarantine(outcome.quarantined);
    return siteIds.map((siteId) => results.get(siteId)!);
  }

  private load(siteIds: string[]) {
    return this.prisma.site.findMany({
      where: { id: { in: siteIds } },
      include: {
        https: { select: { enabled: true, hsts: true } },
        logging: { select: { mode: true } },
        defence: { select: { level: true, exemptPaths: true, shieldRanges: true, passKeyEncrypted: true } },
        certificates: { where: { current: true }, orderBy: { createdAt: 'desc' }, take: 1, select: { chainPem: true, keyEncrypted: true, serial: true } },
      },
    });
  }

  private async prepare(site: LoadedSite): Promise<SiteConfig & { tls: boolean }> {
    const siteKey = site.primaryDomain;
    const certificate = site.https?.enabled ? site.certificates[0] : undefined;
    await Promise.all([this.ensureDocumentRoot(site.documentRoot, siteKey), this.siteFolders.ensureLogDir(siteKey)]);
    const tls = certificate
      ? {
          ...(await installCertificateFiles(this.files, this.config.stateDir, siteKey, certificate.chainPem, () =>
            this.secrets.decrypt(certificate.keyEncrypted),
          )),
          hsts: site.https?.hsts ?? false,
          serial: certificate.serial ?? '0',
        }
      : undefined;
    const config = renderVhost({
      siteKey,
      domains: site.domains,
      documentRoot: site.documentRoot,
      stateDir: this.config.stateDir,
      accessLogDir: this.config.accessLogDir,
      loggingMode: site.logging?.mode ?? this.config.defaultLogging.mode,
      listenAddresses: this.config.siteListenAddresses,
      httpPort: this.config.siteHttpPort,
      httpsPort: this.config.siteHttpsPort,
      tls,
      defence: site.defence ? await this.defenceFiles.prepare(siteKey, site.defence) : undefined,
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
    const current = await Promise.all(
      entries.map((entry) => this.files.readIfExists(join(this.config.nginx.sitesDir, `${entry.siteKey}.conf`))),
    );
    return entries.filter((entry, index) => current[index]?.toString('utf8') !== entry.config);
  }

  /** A new site gets a page saying so, rather than nginx's 403 for an empty folder. */
  private async ensureDocumentRoot(documentRoot: string, siteKey: string): Promise<void> {
    await this.files.ensureDir(documentRoot);
    if ((await fs.readdir(documentRoot)).length > 0) return;
    await this.files.writeAtomic(join(documentRoot, 'index.html'), placeholderPage(siteKey));
  }

  /**
   * A hand-broken site file was moved aside so the others could still be
   * applied. It is recorded, shown on the site's HTTPS posture, and the site
   * is rendered again from its records.
   */
  private async reportQuarantine(quarantined: QuarantinedFile[]): Promise<void> {
    const keys = quarantined.flatMap(({ siteKey }) => (siteKey ? [siteKey] : []));
    const sites = await this.prisma.site.findMany({ where: { primaryDomain: { in: keys } }, select: { id: true, primaryDomain: true } });
    for (const entry of quarantined) {
      const site = sites.find(({ primaryDomain }) => primaryDomain === entry.siteKey);
      const message = `nginx rejected the file ${entry.file} (edited by hand?); it was moved to ${entry.movedTo} and the site re-rendered from its records. nginx said: ${entry.nginxMessage}`;
      this.logger.warn(message);
      await this.prisma.$transaction(async (tx) => {
        await this.audit.record(
          SYSTEM_ACTOR,
          { action: 'nginx.quarantine', targetType: 'site', targetId: site?.id, changes: { file: entry.file, movedTo: entry.movedTo, nginxMessage: entry.nginxMessage } },
          tx,
        );
        if (site) await tx.httpsState.updateMany({ where: { siteId: site.id }, data: { lastError: message } });
      });
    }
    if (sites.length > 0) void this.applyMany(sites.map(({ id }) => id));
  }
}

function placeholderPage(siteKey: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${siteKey}</title></head>\n<body><h1>${siteKey}</h1><p>This site is hosted by hostkeeper; its content has not been uploaded yet.</p></body></html>\n`;
}
