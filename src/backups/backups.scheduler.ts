import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { BACKUPS_SCHEDULE, JobName } from '../../jobs/catalog.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';
import { BackupSchedules } from './backup-schedules.service.js';

/** Crons only enqueue; the work runs in the backups worker. */
@Injectable()
export class BackupsScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(BackupsScheduler.name);

  constructor(
    private readonly queues: QueueRegistry,
    private readonly schedules: BackupSchedules,
  ) {}

  /** A worker that starts after Redis lost its data brings the schedules back before anything else. */
  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.reconcile().catch((error: Error) => this.logger.warn(`start-up schedule reconcile: ${error.message}`));
  }

  @Cron(BACKUPS_SCHEDULE.reconcile)
  enqueueReconcile(): Promise<void> {
    return this.enqueue('backups.reconcile');
  }

  @Cron(BACKUPS_SCHEDULE.check)
  enqueueCheck(): Promise<void> {
    return this.enqueue('backups.check');
  }

  @Cron(BACKUPS_SCHEDULE.retention)
  enqueueRetention(): Promise<void> {
    return this.enqueue('backups.retention');
  }

  @Cron(BACKUPS_SCHEDULE.drill)
  enqueueDrill(): Promise<void> {
    return this.enqueue('backups.drill');
  }

  private enqueue(name: JobName): Promise<void> {
    return this.queues.addPeriodic(name, 60_000);
  }
}
