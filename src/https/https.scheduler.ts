import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { HTTPS_SCHEDULE } from '../../jobs/catalog.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

const SWEEP_PERIOD_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/** Crons only enqueue; the sweep runs in a worker, once per period however many schedulers fire. */
@Injectable()
export class HttpsScheduler {
  constructor(private readonly queues: QueueRegistry) {}

  @Cron(HTTPS_SCHEDULE.sweep)
  async enqueueSweep(): Promise<void> {
    await this.queues.addPeriodic('https.sweep', SWEEP_PERIOD_MS);
  }

  @Cron(HTTPS_SCHEDULE.verifyServed)
  async enqueueVerifyServed(): Promise<void> {
    await this.queues.addPeriodic('https.verify-served', DAY_MS);
  }
}
