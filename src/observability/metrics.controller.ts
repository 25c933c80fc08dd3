import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Public } from '../core/auth/auth.decorators.js';
import { settlesWithin } from '../core/async/settles-within.js';
import { MetricsService } from '../core/metrics/metrics.service.js';
import { ENQUEUE_BUDGET_MS } from '../core/operations/operations.service.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';
import { MetricsGuard } from './metrics.guard.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * Prometheus text: counts and timings, never ids, domains or addresses. Not
 * public all the same: queue depths and request rates tell an attacker when a
 * flood is working.
 */
@ApiTags('operator')
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: QueueRegistry,
  ) {}

  @Get('metrics')
  @Public()
  @UseGuards(MetricsGuard)
  @ApiBearerAuth()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    await Promise.all(
      this.queues.all().map(async (queue) => {
        let counts: Record<string, number> | undefined;
        const reading = queue.getJobCounts(...STATES).then((c) => (counts = c));
        // With Redis down the depths are left as last read rather than holding the scrape.
        if (!(await settlesWithin(reading, ENQUEUE_BUDGET_MS).catch(() => false)) || !counts) return;
        for (const state of STATES) this.metrics.queueDepth.set({ queue: queue.name, state }, counts[state] ?? 0);
      }),
    );
    return this.metrics.registry.metrics();
  }
}
