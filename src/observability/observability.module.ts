import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/** /health and /metrics; request timing is wired in bootstrap.ts (httpMetricsMiddleware). */
@Module({ controllers: [HealthController, MetricsController] })
export class ObservabilityModule {}
