import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobsOfQueue, OperationJobData, QUEUE, WORKER_OPTIONS } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { OperationRunner, RunnableOperation } from '../core/operations/operation-runner.service.js';
import { CatalogProcessor, dispatch, isLastAttempt, JobHandlers } from '../core/queue/job-handlers.js';
import { HttpsDisabler } from './https-disabler.service.js';
import { HttpsIssuer } from './https-issuer.service.js';
import { HttpsSweep } from './https-sweep.service.js';
import { ServedProof } from './served-proof.service.js';

@Processor(QUEUE.https, WORKER_OPTIONS)
export class HttpsProcessor extends WorkerHost implements OnApplicationBootstrap, CatalogProcessor {
  constructor(
    private readonly runner: OperationRunner,
    private readonly issuer: HttpsIssuer,
    private readonly disabler: HttpsDisabler,
    private readonly sweep: HttpsSweep,
    private readonly proof: ServedProof,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** Issuance mostly waits on the CA; many at once is what lets installs share one reload. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.acme.concurrency;
  }

  readonly handlers: JobHandlers<JobsOfQueue<typeof QUEUE.https>> = {
    'https.enable': (job) => this.runner.run(job, (op) => this.issuer.issue(siteOf(op), 'enable', isLastAttempt(job))),
    'https.renew': (job) => this.runner.run(job, (op) => this.issuer.issue(siteOf(op), 'renew', true)),
    'https.disable': (job) => this.runner.run(job, (op) => this.disabler.disable(siteOf(op), revokeOf(op))),
    'https.sweep': () => this.sweep.run(),
    'https.verify-served': () => this.proof.verifyAll(),
  };

  process(job: Job<OperationJobData>): Promise<unknown> {
    return dispatch(this.handlers, job);
  }
}

function siteOf(operation: RunnableOperation): string {
  if (!operation.siteId) throw new Error(`operation ${operation.id} names no site`);
  return operation.siteId;
}

function revokeOf(operation: RunnableOperation): boolean {
  return (operation.payload as { revoke?: unknown } | null)?.revoke === true;
}
