import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { JobsOfQueue, QUEUE } from '../../jobs/catalog.js';
import { ReconcileService } from '../core/operations/reconcile.service.js';

@Processor(QUEUE.maintenance)
export class MaintenanceProcessor extends WorkerHost {
  constructor(private readonly reconcile: ReconcileService) {
    super();
  }

  private readonly handlers: Record<JobsOfQueue<typeof QUEUE.maintenance>, () => Promise<unknown>> = {
    'maintenance.reconcile': () => this.reconcile.reconcileOperations(),
  };

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as keyof typeof this.handlers];
    if (!handler) throw new Error(`no handler for ${job.name}`);
    return { requeued: await handler() };
  }
}
