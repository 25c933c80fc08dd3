import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobCatalogCheck } from '../core/queue/job-catalog.check.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { MaintenanceScheduler } from './maintenance.scheduler.js';

/** Worker-wide duties: reconcile lost work, and check at start that every job has exactly one handler. */
@Module({ imports: [DiscoveryModule], providers: [MaintenanceProcessor, MaintenanceScheduler, JobCatalogCheck] })
export class MaintenanceWorkerModule {}
