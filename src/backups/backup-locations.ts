import { join } from 'node:path';
import type { AppConfig } from '../config/config.js';

/** A restic backend URL (`sftp:`, `s3:`, `rest:`...) rather than a local folder. */
export function isBackendUrl(target: string): boolean {
  return /^[a-z0-9]+:/i.test(target) && !target.startsWith('/');
}

/**
 * Where this host keeps backups: BACKUP_TARGET is a setting of each agent
 * (a local folder per host, or one remote restic backend every host shares).
 * Framework-free: the agent has no database and decides nothing but paths.
 */
export class BackupLocations {
  constructor(private readonly config: Pick<AppConfig, 'backupTarget' | 'stateDir'>) {}

  /** The member's restic repository on this host's BACKUP_TARGET. */
  repositoryOf(memberId: string): string {
    const target = this.config.backupTarget;
    return isBackendUrl(target) ? `${target.replace(/\/+$/, '')}/${memberId}` : join(target, 'restic', memberId);
  }

  memberArchiveDir(siteId: string): string {
    // Archives are plain files: with a remote restic backend they stay on local disk.
    const base = isBackendUrl(this.config.backupTarget) ? join(this.config.stateDir, 'backups') : this.config.backupTarget;
    return join(base, 'member-custody', siteId);
  }

  scratchDir(): string {
    return join(this.config.stateDir, 'backup-scratch');
  }

  /** Whether a process with this BACKUP_TARGET reads the same repositories as every host (a shared remote backend). */
  get shared(): boolean {
    return isBackendUrl(this.config.backupTarget);
  }
}
