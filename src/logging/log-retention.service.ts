import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { LogFilesAdapter, PurgedFile } from './log-files.adapter.js';
import { daysCovered, retentionPlan } from './log-retention.js';
import { LoggingModeName, siteLogDir } from './logging-directives.js';
import { LogPurgeService } from './log-purge.service.js';

const PAGE = 500;
const SITES_AT_ONCE = 16;

export interface RetentionSummary {
  sites: number;
  files: number;
  bytes: number;
}

interface PolicyRow {
  siteId: string;
  mode: LoggingModeName;
  retentionDays: number;
  site: { primaryDomain: string };
}

/** The scheduled sweep: every site's folder against its mode and retention, attested when anything goes. */
@Injectable()
export class LogRetentionService {
  private readonly logger = new Logger(LogRetentionService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly logFiles: LogFilesAdapter,
    private readonly purge: LogPurgeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(now = new Date()): Promise<RetentionSummary> {
    const summary: RetentionSummary = { sites: 0, files: 0, bytes: 0 };
    let cursor: string | undefined;
    for (;;) {
      const page: PolicyRow[] = await this.prisma.loggingPolicy.findMany({
        select: { siteId: true, mode: true, retentionDays: true, site: { select: { primaryDomain: true } } },
        orderBy: { siteId: 'asc' },
        take: PAGE,
        ...(cursor ? { cursor: { siteId: cursor }, skip: 1 } : {}),
      });
      for (let i = 0; i < page.length; i += SITES_AT_ONCE) {
        const done = await Promise.all(page.slice(i, i + SITES_AT_ONCE).map((policy) => this.sweepSite(policy, now)));
        for (const files of done) {
          summary.sites += 1;
          summary.files += files.length;
          summary.bytes += files.reduce((sum, file) => sum + file.bytes, 0);
        }
      }
      if (page.length < PAGE) return summary;
      cursor = page[page.length - 1].siteId;
    }
  }

  /** One site's failure is logged and left for the next run; it does not stop the others. */
  private async sweepSite(policy: PolicyRow, now: Date): Promise<PurgedFile[]> {
    try {
      const dir = siteLogDir(this.config.accessLogDir, policy.site.primaryDomain);
      const plan = retentionPlan(policy.mode, policy.retentionDays, await this.logFiles.list(dir), now);
      const removed = await this.logFiles.remove(dir, plan.remove.map((file) => file.name));
      const emptied = await Promise.all(plan.empty.map((file) => this.logFiles.empty(dir, file.name)));
      const covered = new Map([...plan.remove, ...plan.empty].map((file) => [file.name, daysCovered(file)]));
      const files: PurgedFile[] = [
        ...removed,
        ...emptied.filter((file): file is PurgedFile => file !== undefined).map((file) => ({ ...file, emptied: true })),
      ].map((file) => ({ ...file, ...covered.get(file.name) }));
      if (files.length > 0) {
        await this.purge.attest(policy.siteId, 'logs.retention', 'system', files, { mode: policy.mode, retentionDays: policy.retentionDays });
      }
      return files;
    } catch (error) {
      this.logger.warn(`log retention for site ${policy.siteId} not applied: ${(error as Error).message}`);
      return [];
    }
  }
}
