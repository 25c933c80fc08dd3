import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { JobsOfQueue, QUEUE, WORKER_OPTIONS } from '../../jobs/catalog.js';
import { CatalogProcessor, dispatch, JobHandlers } from '../core/queue/job-handlers.js';
import { LegalClock } from './clock.js';
import { LegalSweepService } from './sweep/legal-sweep.service.js';

@Processor(QUEUE.legal, WORKER_OPTIONS)
export class LegalProcessor extends WorkerHost implements CatalogProcessor {
  constructor(
    private readonly sweep: LegalSweepService,
    private readonly clock: LegalClock,
  ) {
    super();
  }

  readonly handlers: JobHandlers<JobsOfQueue<typeof QUEUE.legal>> = {
    'legal.sweep': () => this.sweep.sweep(this.clock.now()),
  };

  process(job: Job): Promise<unknown> {
    return dispatch(this.handlers, job);
  }
}
