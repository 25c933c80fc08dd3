import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ArchiveAdapter } from '../core/adapters/archive.adapter.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import { ResticAdapter } from '../core/adapters/restic.adapter.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { BACKUP_ADAPTERS } from './backup.providers.js';
import { BackupLocations } from './backup-locations.js';
import { BackupQuota } from './backup-quota.service.js';
import { BackupSchedules } from './backup-schedules.service.js';
import { BackupStorage } from './backup-storage.service.js';
import { KeyedLock } from './keyed-lock.js';
import { MemberCustody } from './member-custody.service.js';
import { ProviderCustody } from './provider-custody.service.js';

/**
 * What the control plane's halves need: the secrets of backup storage, the
 * schedules and the quota. The custody classes here only read (the API's
 * downloads, where this process can reach the backups); every backup,
 * restore and drill runs on the site's agent (BackupHost).
 */
const SHARED = [
  ...BACKUP_ADAPTERS,
  KeyedLock,
  { provide: BackupLocations, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new BackupLocations(config) },
  {
    provide: ProviderCustody,
    inject: [ResticAdapter, BackupLocations, KeyedLock],
    useFactory: (restic: ResticAdapter, locations: BackupLocations, lock: KeyedLock) => new ProviderCustody(restic, locations, lock),
  },
  {
    provide: MemberCustody,
    inject: [PgpAdapter, ArchiveAdapter, FilesAdapter, BackupLocations],
    useFactory: (pgp: PgpAdapter, archive: ArchiveAdapter, files: FilesAdapter, locations: BackupLocations) => new MemberCustody(pgp, archive, files, locations),
  },
  BackupStorage,
  BackupSchedules,
  BackupQuota,
];

@Module({ imports: [NotificationsModule], providers: SHARED, exports: SHARED })
export class BackupsCoreModule {}
