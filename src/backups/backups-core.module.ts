import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { BACKUP_ADAPTERS } from './backup.providers.js';
import { BackupQuota } from './backup-quota.service.js';
import { BackupSchedules } from './backup-schedules.service.js';
import { BackupStorage } from './backup-storage.service.js';
import { KeyedLock } from './keyed-lock.js';
import { MemberCustody } from './member-custody.service.js';
import { ProviderCustody } from './provider-custody.service.js';

const SHARED = [...BACKUP_ADAPTERS, KeyedLock, BackupStorage, ProviderCustody, MemberCustody, BackupSchedules, BackupQuota];

/** What both halves need: where backups live, how each custody reads and writes them, the schedules. */
@Module({ imports: [NotificationsModule], providers: SHARED, exports: SHARED })
export class BackupsCoreModule {}
