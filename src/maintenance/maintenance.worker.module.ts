import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobCatalogCheck } from '../core/queue/job-catalog.check.js';
import { JobMetrics } from '../core/queue/job-metrics.js';
import { WorkerDrain } from '../core/queue/worker-drain.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { MaintenanceScheduler } from './maintenance.scheduler.js';

/**
 * Worker-wide duties: reconcile lost work, check at start that every job has
 * exactly one handler, count every job's outcome, finish jobs in hand at shutdown.
 */
@Module({ imports: [DiscoveryModule], providers: [MaintenanceProcessor, MaintenanceScheduler, JobCatalogCheck, JobMetrics, WorkerDrain] })
export class MaintenanceWorkerModule {}
