import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { LEGAL_SCHEDULE, LEGAL_SWEEP_PERIOD_MS } from '../../jobs/catalog.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';

/** Crons only enqueue; the sweep runs in a worker, once per period however many schedulers fire. */
@Injectable()
export class LegalScheduler {
  constructor(private readonly queues: QueueRegistry) {}

  @Cron(LEGAL_SCHEDULE.sweep)
  async enqueueSweep(): Promise<void> {
    await this.queues.addPeriodic('legal.sweep', LEGAL_SWEEP_PERIOD_MS);
  }
}
