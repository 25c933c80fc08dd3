import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { JobsOfQueue, OperationJobData, QUEUE, WORKER_OPTIONS } from '../../jobs/catalog.js';
import { OperationRunner } from '../core/operations/operation-runner.service.js';
import { CatalogProcessor, dispatch, JobHandlers } from '../core/queue/job-handlers.js';
import { DefenceApply } from './defence-apply.service.js';
import { DefenceSweep } from './defence-sweep.service.js';

@Processor(QUEUE.defence, { ...WORKER_OPTIONS, concurrency: 50 })
export class DefenceProcessor extends WorkerHost implements CatalogProcessor {
  constructor(
    private readonly runner: OperationRunner,
    private readonly applier: DefenceApply,
    private readonly sweep: DefenceSweep,
  ) {
    super();
  }

  readonly handlers: JobHandlers<JobsOfQueue<typeof QUEUE.defence>> = {
    'defence.apply': (job) => this.runner.runGrouped(job, (operation) => this.applier.apply(operation)),
    'defence.sweep': () => this.sweep.run(),
  };

  process(job: Job<OperationJobData>): Promise<unknown> {
    return dispatch(this.handlers, job);
  }
}
