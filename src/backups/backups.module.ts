import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { BackupsController } from './backups.controller.js';
import { BackupsCoreModule } from './backups-core.module.js';
import { BackupsService } from './backups.service.js';
import { DownloadSlots } from './download-slots.js';

@Module({ imports: [BackupsCoreModule, SitesModule], controllers: [BackupsController], providers: [BackupsService, DownloadSlots] })
export class BackupsModule {}
