import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JOB, JobName, KEEP_JOBS, periodicJobId, QUEUE, QueueName } from '../../../jobs/catalog.js';

/** The queues of the catalog, by name; adds jobs with the catalog's retry policy. */
@Injectable()
export class QueueRegistry {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QUEUE.https) https: Queue,
    @InjectQueue(QUEUE.logging) logging: Queue,
    @InjectQueue(QUEUE.backups) backups: Queue,
    @InjectQueue(QUEUE.maintenance) maintenance: Queue,
    @InjectQueue(QUEUE.defence) defence: Queue,
    @InjectQueue(QUEUE.legal) legal: Queue,
  ) {
    this.queues = { https, logging, backups, maintenance, defence, legal };
  }

  of(name: QueueName): Queue {
    return this.queues[name];
  }

  all(): Queue[] {
    return Object.values(this.queues);
  }

  async add<T extends object>(name: JobName, data: T, jobId: string, extra: { delay?: number } = {}): Promise<void> {
    const spec = JOB[name];
    await this.of(spec.queue).add(name, data, {
      jobId,
      attempts: spec.attempts,
      backoff: spec.backoff,
      ...KEEP_JOBS,
      ...extra,
    });
  }

  /**
   * A scheduled job, once per period however many schedulers (or worker
   * processes) fire: the job id is the job name and the start of the period.
   */
  async addPeriodic(name: JobName, periodMs: number): Promise<void> {
    const periodStart = new Date(Math.floor(Date.now() / periodMs) * periodMs);
    await this.add(name, {}, periodicJobId(name, periodStart));
  }
}
