import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { BackupJobs } from './backup-jobs.service.js';
import { BackupsCoreModule } from './backups-core.module.js';
import { BackupsProcessor } from './backups.processor.js';
import { BackupsScheduler } from './backups.scheduler.js';
import { FolderSwap } from './folder-swap.js';

@Module({ imports: [BackupsCoreModule, NotificationsModule], providers: [BackupJobs, BackupsProcessor, BackupsScheduler, FolderSwap] })
export class BackupsWorkerModule {}
