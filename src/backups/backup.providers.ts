import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ArchiveAdapter } from '../core/adapters/archive.adapter.js';
import { PathExchange } from '../core/adapters/path-exchange.adapter.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import { StreamingProcessRunner } from '../core/adapters/process-stream.adapter.js';
import { ResticAdapter } from '../core/adapters/restic.adapter.js';

export function resticCache(config: AppConfig): string {
  return join(config.stateDir, 'restic-cache');
}

/**
 * Backup processes yield the CPU (and, with the BFQ scheduler, the disk) to the
 * API and the web server: the nightly runs may take longer, requests may not.
 */
export function backupPriority(config: Pick<AppConfig, 'backupNice'>): string[] {
  // ionice -t: where the I/O class cannot be set (some containers), run anyway rather than fail the backup.
  return config.backupNice > 0 ? ['nice', '-n', String(config.backupNice), 'ionice', '-t', '-c', '2', '-n', '7'] : [];
}

/** The plain adapter classes, wired for this capability. */
export const BACKUP_ADAPTERS: Provider[] = [
  {
    provide: ResticAdapter,
    inject: [ProcessRunner, APP_CONFIG],
    useFactory: (runner: ProcessRunner, config: AppConfig) => new ResticAdapter(runner, { cacheDir: resticCache(config), priority: backupPriority(config) }),
  },
  { provide: PgpAdapter, useFactory: () => new PgpAdapter() },
  { provide: PathExchange, inject: [ProcessRunner], useFactory: (runner: ProcessRunner) => new PathExchange(runner) },
  {
    provide: ArchiveAdapter,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new ArchiveAdapter(new StreamingProcessRunner(), { priority: backupPriority(config) }),
  },
];
