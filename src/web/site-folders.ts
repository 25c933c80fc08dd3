import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { siteLogDir } from '../logging/logging-directives.js';
import { resolveWorkerUser, SystemUser } from './worker-user.js';

/** nginx's workers write here and the service (root) reads; nobody else. */
export const SITE_LOG_DIR_MODE = 0o750;

/**
 * The folders nginx's workers write for a site: its access log folder,
 * owned by the worker user (NGINX_WORKER_USER) and closed to everyone else.
 */
export class SiteFolders {
  private readonly logger = new Logger(SiteFolders.name);
  private worker?: Promise<SystemUser | undefined>;

  constructor(
    private readonly files: FilesAdapter,
    private readonly config: Pick<AppConfig, 'accessLogDir' | 'nginx'>,
  ) {}

  async ensureLogDir(siteKey: string): Promise<void> {
    await this.files.ensureDirOwned(siteLogDir(this.config.accessLogDir, siteKey), await this.workerUser(), SITE_LOG_DIR_MODE);
  }

  private workerUser(): Promise<SystemUser | undefined> {
    this.worker ??= resolveWorkerUser(this.files, this.config.nginx.workerUser).then(({ user, fellBack }) => {
      if (fellBack) {
        this.logger.warn(
          `NGINX_WORKER_USER ${this.config.nginx.workerUser} does not exist here; access log folders go to ${user?.name ?? 'root'} instead (nginx's own default worker user is nobody).`,
        );
      }
      return user;
    });
    return this.worker;
  }
}
