import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job } from 'bullmq';
import { JobsOfQueue, OperationJobData, QUEUE, RestoreJobData, WORKER_OPTIONS } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { OperationRunner } from '../core/operations/operation-runner.service.js';
import { CatalogProcessor, dispatch, isLastAttempt, JobHandlers } from '../core/queue/job-handlers.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';
import { BackupJobs } from './backup-jobs.service.js';
import { BackupSchedules } from './backup-schedules.service.js';

interface SiteJobData {
  siteId?: string;
}

interface MemberJobData {
  memberId?: string;
}

@Processor(QUEUE.backups, WORKER_OPTIONS)
export class BackupsProcessor extends WorkerHost implements OnApplicationBootstrap, CatalogProcessor {
  constructor(
    private readonly runner: OperationRunner,
    private readonly jobs: BackupJobs,
    private readonly schedules: BackupSchedules,
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** Many sites' nightly runs share BACKUP_CONCURRENCY slots, so they never saturate the disk or starve the API. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.backupConcurrency;
  }

  readonly handlers: JobHandlers<JobsOfQueue<typeof QUEUE.backups>> = {
    'backups.run': (job) => this.runner.run(job as Job<OperationJobData>, (op) => this.jobs.runBackup(op.siteId ?? '', 'manual', isLastAttempt(job)).then(() => undefined)),
    'backups.scheduled': (job) => this.jobs.runBackup((job.data as SiteJobData).siteId ?? '', 'scheduled', isLastAttempt(job)),
    'backups.restore': (job) => this.restore(job as Job<RestoreJobData>),
    'backups.delete': (job) => this.runner.run(job as Job<OperationJobData>, (op) => this.jobs.deleteAll(op)),
    'backups.check': (job) => this.perSite(job, 'backups.check', (siteId) => this.jobs.check(siteId)),
    'backups.drill': (job) => this.perSite(job, 'backups.drill', (siteId) => this.jobs.drill(siteId)),
    'backups.retention': (job) => this.perMember(job),
    'backups.reconcile': () => this.schedules.reconcile(),
    'sites.move': (job) => this.runner.run(job as Job<OperationJobData>, (op) => this.jobs.move(op)),
  };

  process(job: Job): Promise<unknown> {
    return dispatch(this.handlers, job);
  }

  /** The sealed key leaves Redis with the restore, whatever its outcome: a finished job keeps only the operation id. */
  private async restore(job: Job<RestoreJobData>): Promise<unknown> {
    const { operationId, sealedPrivateKey, sealedPassphrase } = job.data;
    let waiting = false;
    try {
      return await this.runner.run(job, (op) => this.jobs.restore(op, { sealedPrivateKey, sealedPassphrase }));
    } catch (error) {
      // the site's host is offline, or another worker's lease holds the restore: it asks again later and needs the key then
      waiting = error instanceof DelayedError;
      throw error;
    } finally {
      if ((sealedPrivateKey || sealedPassphrase) && !waiting) await job.updateData({ operationId }).catch(() => undefined);
    }
  }

  /** A periodic job without a site fans out into one job per enabled site, each in its own slot. */
  private async perSite(job: Job, name: 'backups.check' | 'backups.drill', work: (siteId: string) => Promise<void>): Promise<unknown> {
    const siteId = (job.data as SiteJobData).siteId;
    if (siteId) return work(siteId);
    const siteIds = await this.jobs.enabledSiteIds();
    for (const id of siteIds) await this.queues.add(name, { siteId: id }, `${job.id}-${id}`);
    return { fannedOut: siteIds.length };
  }

  /** Retention goes per member: one repository, one prune, whatever the number of its sites. */
  private async perMember(job: Job): Promise<unknown> {
    const memberId = (job.data as MemberJobData).memberId;
    if (memberId) return this.jobs.applyRetention(memberId);
    const memberIds = await this.jobs.enabledMemberIds();
    for (const id of memberIds) await this.queues.add('backups.retention', { memberId: id }, `${job.id}-${id}`);
    return { fannedOut: memberIds.length };
  }
}
