import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SitesModule } from '../sites/sites.module.js';
import { BackupsController } from './backups.controller.js';
import { BackupsCoreModule } from './backups-core.module.js';
import { BackupsService } from './backups.service.js';
import { DownloadSlots } from './download-slots.js';
import { RestoreRequestsController } from './restore-requests/restore-requests.controller.js';
import { RestoreRequestsService } from './restore-requests/restore-requests.service.js';

@Module({ imports: [BackupsCoreModule, NotificationsModule, SitesModule], controllers: [BackupsController, RestoreRequestsController], providers: [BackupsService, DownloadSlots, RestoreRequestsService] })
export class BackupsModule {}
