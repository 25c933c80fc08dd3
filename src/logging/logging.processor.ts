import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobsOfQueue, OperationJobData, QUEUE, WORKER_OPTIONS } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { OperationRunner } from '../core/operations/operation-runner.service.js';
import { CatalogProcessor, dispatch, JobHandlers } from '../core/queue/job-handlers.js';
import { LogPurgeService } from './log-purge.service.js';
import { LogRetentionService } from './log-retention.service.js';

@Processor(QUEUE.logging, WORKER_OPTIONS)
export class LoggingProcessor extends WorkerHost implements OnApplicationBootstrap, CatalogProcessor {
  constructor(
    private readonly runner: OperationRunner,
    private readonly purge: LogPurgeService,
    private readonly retention: LogRetentionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /**
   * Jobs mostly wait for WebServerService's shared batch: the more run at
   * once, the more sites share one reload on their host.
   */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.loggingConcurrency;
  }

  readonly handlers: JobHandlers<JobsOfQueue<typeof QUEUE.logging>> = {
    'logging.apply': (job) => this.runner.runGrouped(job, (operation) => this.purge.apply(operation)),
    'logging.retention': () => this.retention.run(),
  };

  process(job: Job<OperationJobData>): Promise<unknown> {
    return dispatch(this.handlers, job);
  }
}
