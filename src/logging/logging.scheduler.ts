import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { LOGGING_SCHEDULE, periodicJobId } from '../../jobs/catalog.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

const HOUR_MS = 3_600_000;

/** Crons only enqueue; the sweep runs in a worker, once per hour however many schedulers fire. */
@Injectable()
export class LoggingScheduler {
  constructor(private readonly queues: QueueRegistry) {}

  @Cron(LOGGING_SCHEDULE.retention)
  async enqueueRetention(): Promise<void> {
    const hour = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
    await this.queues.add('logging.retention', {}, periodicJobId('logging.retention', hour));
  }
}
