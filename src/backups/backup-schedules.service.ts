import { Injectable, Logger } from '@nestjs/common';
import { backupSchedulerId, JOB, KEEP_JOBS, QUEUE } from '../../jobs/catalog.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

const SCHEDULER_PREFIX = backupSchedulerId('');

export interface ScheduledPolicy {
  siteId: string;
  enabled: boolean;
  schedule: string;
}

/**
 * One BullMQ job scheduler per site with backups enabled. Postgres holds the
 * policies; Redis holds only what can be derived from them again.
 */
@Injectable()
export class BackupSchedules {
  private readonly logger = new Logger(BackupSchedules.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: QueueRegistry,
  ) {}

  async apply(policy: ScheduledPolicy): Promise<void> {
    if (!policy.enabled) {
      await this.queue.removeJobScheduler(backupSchedulerId(policy.siteId));
      return;
    }
    const spec = JOB['backups.scheduled'];
    await this.queue.upsertJobScheduler(
      backupSchedulerId(policy.siteId),
      { pattern: policy.schedule, tz: 'UTC' },
      { name: 'backups.scheduled', data: { siteId: policy.siteId }, opts: { attempts: spec.attempts, backoff: spec.backoff, ...KEEP_JOBS } },
    );
  }

  /** Re-creates missing or changed schedulers and removes those no policy asks for. */
  async reconcile(): Promise<{ upserted: number; removed: number }> {
    const policies = await this.prisma.backupPolicy.findMany({ where: { enabled: true }, select: { siteId: true, enabled: true, schedule: true } });
    const wanted = new Map(policies.map((p) => [backupSchedulerId(p.siteId), p]));
    const existing = new Map((await this.queue.getJobSchedulers(0, -1)).filter((s) => s.key.startsWith(SCHEDULER_PREFIX)).map((s) => [s.key, s]));
    let upserted = 0;
    let removed = 0;
    for (const [id, policy] of wanted) {
      const current = existing.get(id);
      if (current?.pattern === policy.schedule && current.tz === 'UTC') continue;
      await this.apply(policy);
      upserted += 1;
    }
    for (const id of existing.keys()) {
      if (wanted.has(id)) continue;
      await this.queue.removeJobScheduler(id);
      removed += 1;
    }
    if (upserted || removed) this.logger.log(`backup schedules reconciled: ${upserted} upserted, ${removed} removed`);
    return { upserted, removed };
  }

  private get queue() {
    return this.queues.of(QUEUE.backups);
  }
}
