import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { WebModule } from '../web/web.module.js';
import { BackupJobs } from './backup-jobs.service.js';
import { BackupsCoreModule } from './backups-core.module.js';
import { BackupsProcessor } from './backups.processor.js';
import { BackupsScheduler } from './backups.scheduler.js';

/** Decides and records; the site's agent does the work (BackupHost, behind the backup.* commands). */
@Module({ imports: [BackupsCoreModule, NotificationsModule, WebModule], providers: [BackupJobs, BackupsProcessor, BackupsScheduler] })
export class BackupsWorkerModule {}
