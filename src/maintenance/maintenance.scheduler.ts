import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { MAINTENANCE_SCHEDULE } from '../../jobs/catalog.js';
import { ReconcileService } from '../core/operations/reconcile.service.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

/** Crons only enqueue; the reconcile itself runs in a worker. */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceScheduler.name);

  constructor(
    private readonly queues: QueueRegistry,
    private readonly reconcile: ReconcileService,
  ) {}

  /** At start a worker re-derives lost work straight away, before any cron fires. */
  async onApplicationBootstrap(): Promise<void> {
    await this.reconcile.reconcileOperations().catch((error: Error) => this.logger.warn(`start-up reconcile: ${error.message}`));
  }

  @Cron(MAINTENANCE_SCHEDULE.reconcile)
  async enqueueReconcile(): Promise<void> {
    await this.queues.addPeriodic('maintenance.reconcile', 60_000);
  }
}
