import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { DEFENCE_SCHEDULE } from '../../jobs/catalog.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

const SWEEP_PERIOD_MS = 5 * 60_000;

/** Crons only enqueue; the sweep runs in a worker, once per period however many schedulers fire. */
@Injectable()
export class DefenceScheduler {
  constructor(private readonly queues: QueueRegistry) {}

  @Cron(DEFENCE_SCHEDULE.sweep)
  async enqueueSweep(): Promise<void> {
    await this.queues.addPeriodic('defence.sweep', SWEEP_PERIOD_MS);
  }
}
