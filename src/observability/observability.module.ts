import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsGuard } from './metrics.guard.js';

/** /health and /metrics; request timing is wired in bootstrap.ts (httpMetricsMiddleware). */
@Module({ controllers: [HealthController, MetricsController], providers: [MetricsGuard] })
export class ObservabilityModule {}
