import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../core/database/prisma.service.js';
import { AgentClient } from '../hosts/agent-client.service.js';
import type { PurgedFile } from './log-files.adapter.js';
import type { LoggingModeName } from './logging-directives.js';
import { LogPurgeService } from './log-purge.service.js';

const PAGE = 500;

export interface RetentionSummary {
  sites: number;
  files: number;
  bytes: number;
}

interface PolicyRow {
  siteId: string;
  mode: LoggingModeName;
  retentionDays: number;
  site: { primaryDomain: string; hostId: string };
}

/** The scheduled sweep: every site's folder against its mode and retention, attested when anything goes. */
@Injectable()
export class LogRetentionService {
  private readonly logger = new Logger(LogRetentionService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly agents: AgentClient,
    private readonly purge: LogPurgeService,
  ) {}

  async run(now = new Date()): Promise<RetentionSummary> {
    const summary: RetentionSummary = { sites: 0, files: 0, bytes: 0 };
    let cursor: string | undefined;
    for (;;) {
      const page: PolicyRow[] = await this.prisma.loggingPolicy.findMany({
        select: { siteId: true, mode: true, retentionDays: true, site: { select: { primaryDomain: true, hostId: true } } },
        orderBy: { siteId: 'asc' },
        take: PAGE,
        ...(cursor ? { cursor: { siteId: cursor }, skip: 1 } : {}),
      });
      const byHost = new Map<string, PolicyRow[]>();
      for (const policy of page) byHost.set(policy.site.hostId, [...(byHost.get(policy.site.hostId) ?? []), policy]);
      // each host sweeps its own sites; an offline host's are left for the next run and do not stop the others
      await Promise.all([...byHost].map(([hostId, policies]) => this.sweepHost(hostId, policies, now, summary)));
      if (page.length < PAGE) return summary;
      cursor = page[page.length - 1].siteId;
    }
  }

  private async sweepHost(hostId: string, policies: PolicyRow[], now: Date, summary: RetentionSummary): Promise<void> {
    const sites = policies.map((policy) => ({ siteId: policy.siteId, siteKey: policy.site.primaryDomain, mode: policy.mode, retentionDays: policy.retentionDays }));
    let swept: Array<{ siteId: string; files: PurgedFile[]; error?: string }>;
    try {
      swept = await this.agents.call(hostId, 'logs.retention', { sites, now: now.getTime() });
    } catch (error) {
      this.logger.warn(`log retention on host ${hostId} not applied: ${(error as Error).message}`);
      return;
    }
    for (const { siteId, files, error } of swept) {
      const policy = policies.find((candidate) => candidate.siteId === siteId);
      if (error || !policy) {
        this.logger.warn(`log retention for site ${siteId} not applied: ${error ?? 'unknown site'}`);
        continue;
      }
      summary.sites += 1;
      summary.files += files.length;
      summary.bytes += files.reduce((sum, file) => sum + file.bytes, 0);
      if (files.length > 0) await this.purge.attest(siteId, 'logs.retention', 'system', files, { mode: policy.mode, retentionDays: policy.retentionDays });
    }
  }
}
