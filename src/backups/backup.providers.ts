import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ArchiveAdapter } from '../core/adapters/archive.adapter.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import { ResticAdapter } from '../core/adapters/restic.adapter.js';
import { ResticSnapshotRemoval } from './restic-snapshot-removal.adapter.js';

function resticCache(config: AppConfig): string {
  return join(config.stateDir, 'restic-cache');
}

/** The plain adapter classes, wired for this capability. */
export const BACKUP_ADAPTERS: Provider[] = [
  {
    provide: ResticAdapter,
    inject: [ProcessRunner, APP_CONFIG],
    useFactory: (runner: ProcessRunner, config: AppConfig) => new ResticAdapter(runner, { cacheDir: resticCache(config) }),
  },
  {
    provide: ResticSnapshotRemoval,
    inject: [ProcessRunner, APP_CONFIG],
    useFactory: (runner: ProcessRunner, config: AppConfig) => new ResticSnapshotRemoval(runner, { cacheDir: resticCache(config) }),
  },
  { provide: PgpAdapter, useFactory: () => new PgpAdapter() },
  { provide: ArchiveAdapter, useFactory: () => new ArchiveAdapter() },
];
