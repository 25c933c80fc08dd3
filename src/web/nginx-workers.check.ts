import { dirname } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { SITE_LOG_DIR_MODE } from './site-folders.js';
import { challengeDir } from './vhost.renderer.js';
import { lookupUser, SystemUser } from './worker-user.js';

export interface NginxWorkersStatus {
  /** the user nginx's workers run as (from NGINX_CONF, else nginx's default) */
  user: string;
  ok: boolean;
  /** one sentence: what is wrong and how to fix it */
  problem?: string;
}

const R = 4;
const W = 2;
const X = 1;

/** `user name [group];` at the top of nginx.conf; nginx's own default is nobody. */
export function workerUserOf(nginxConf: string | undefined): string | undefined {
  const match = nginxConf?.replace(/#.*$/gm, '').match(/(?:^|[;{}\s])user\s+([^\s;]+)[^;]*;/);
  return match?.[1];
}

/** Whether `user` may do `bits` (r=4, w=2, x=1) on a file with this owner and mode, as the kernel decides. */
export function permits(user: SystemUser, stat: { uid: number; gid: number; mode: number }, bits: number): boolean {
  if (user.uid === 0) return true;
  const granted = stat.uid === user.uid ? stat.mode >> 6 : user.groups.includes(stat.gid) ? stat.mode >> 3 : stat.mode;
  return (granted & bits) === bits;
}

/**
 * At start, when this process manages nginx: can the workers (as the `user`
 * of NGINX_CONF) write the access log folders and pass through to the
 * challenge folder and the document roots? If not, one sentence says what
 * and how to fix it, in the log and on /health.
 */
@Injectable()
export class NginxWorkersCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(NginxWorkersCheck.name);
  private result?: NginxWorkersStatus;

  constructor(
    private readonly files: FilesAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get status(): NginxWorkersStatus | undefined {
    return this.result;
  }

  onApplicationBootstrap(): void {
    void this.run().catch((error: Error) => this.logger.warn(`could not check what nginx's workers can reach: ${error.message}`));
  }

  async run(): Promise<NginxWorkersStatus> {
    const result = await this.check();
    this.result = result;
    if (result.problem) this.logger.error(result.problem);
    return result;
  }

  private async check(): Promise<NginxWorkersStatus> {
    const conf = (await this.files.readIfExists(this.config.nginx.conf))?.toString('utf8');
    const name = workerUserOf(conf) ?? 'nobody';
    const configured = this.config.nginx.workerUser;
    if (name !== configured) {
      return {
        user: name,
        ok: false,
        problem: `nginx's workers run as ${name} (the user line of ${this.config.nginx.conf}) but hostkeeper gives the access log folders to NGINX_WORKER_USER=${configured}: set NGINX_WORKER_USER=${name}, or write "user ${configured};" in ${this.config.nginx.conf}.`,
      };
    }
    const user = await lookupUser(this.files, name);
    if (!user) return { user: name, ok: false, problem: `nginx's workers are to run as ${name}, but this system has no such user: create it, or set NGINX_WORKER_USER and the user line of ${this.config.nginx.conf} to one that exists (www-data on Debian).` };

    const unwritable: string[] = [];
    const closed = new Set<string>();
    const reach = async (path: string, bits: number, bad: string[] | Set<string>): Promise<void> => {
      const stat = await this.files.stat(path);
      if (!stat) return;
      if (!permits(user, stat, bits)) (Array.isArray(bad) ? bad.push(path) : bad.add(path));
      for (let dir = dirname(path); dir !== path; path = dir, dir = dirname(dir)) {
        const parent = await this.files.stat(dir);
        if (parent && !permits(user, parent, X)) closed.add(dir);
      }
    };
    await reach(this.config.accessLogDir, X, closed);
    for (const dir of await this.files.listDirs(this.config.accessLogDir)) await reach(dir, W | X, unwritable);
    await reach(challengeDir(this.config.stateDir), R | X, closed);
    await reach(this.config.sitesRoot, X, closed);

    const parts: string[] = [];
    if (unwritable.length > 0) {
      parts.push(`cannot write the access log folders ${unwritable.join(', ')} (run: chown ${name} <folder> && chmod ${SITE_LOG_DIR_MODE.toString(8)} <folder>)`);
    }
    if (closed.size > 0) parts.push(`cannot pass through ${[...closed].join(', ')} (run: chmod o+rx <folder>, or o+x for a parent)`);
    if (parts.length === 0) return { user: name, ok: true };
    return { user: name, ok: false, problem: `nginx's workers run as ${name} and ${parts.join(', and ')}; until then sites that keep logs lose them and challenges fail.` };
  }
}
