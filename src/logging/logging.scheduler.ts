import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { LOGGING_SCHEDULE } from '../../jobs/catalog.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

const HOUR_MS = 3_600_000;

/** Crons only enqueue; the sweep runs in a worker, once per hour however many schedulers fire. */
@Injectable()
export class LoggingScheduler {
  constructor(private readonly queues: QueueRegistry) {}

  @Cron(LOGGING_SCHEDULE.retention)
  async enqueueRetention(): Promise<void> {
    await this.queues.addPeriodic('logging.retention', HOUR_MS);
  }
}
