import { Module } from '@nestjs/common';
import { BackupJobs } from './backup-jobs.service.js';
import { BackupsCoreModule } from './backups-core.module.js';
import { BackupsProcessor } from './backups.processor.js';
import { BackupsScheduler } from './backups.scheduler.js';

@Module({ imports: [BackupsCoreModule], providers: [BackupJobs, BackupsProcessor, BackupsScheduler] })
export class BackupsWorkerModule {}
