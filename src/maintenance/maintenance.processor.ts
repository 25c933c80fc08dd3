import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QUEUE, WORKER_OPTIONS } from '../../jobs/catalog.js';
import { ReconcileService } from '../core/operations/reconcile.service.js';
import { CatalogProcessor, dispatch, JobHandlers } from '../core/queue/job-handlers.js';

@Processor(QUEUE.maintenance, WORKER_OPTIONS)
export class MaintenanceProcessor extends WorkerHost implements CatalogProcessor {
  constructor(private readonly reconcile: ReconcileService) {
    super();
  }

  readonly handlers: JobHandlers<'maintenance.reconcile'> = {
    'maintenance.reconcile': async () => ({ requeued: await this.reconcile.reconcileOperations() }),
  };

  process(job: Job): Promise<unknown> {
    return dispatch(this.handlers, job);
  }
}
