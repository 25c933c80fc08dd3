import { join } from 'node:path';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { CHALLENGE_HTML, defenceDir, NJS_MODULE, passKeyConf, passKeyFile, POW_JS } from './defence-assets.js';
import type { DefenceLevelName, GuardLimits, VhostDefence } from './defence.renderer.js';

export interface DefenceInput {
  level: DefenceLevelName;
  exemptPaths: string[];
  shieldRanges: string[];
  /** the site's pass key, opened only when it is needed */
  passKey?: () => string;
}

/**
 * The files a defended site's nginx file points at: the shared njs module
 * and challenge page (no secret, readable by the workers), and the site's
 * pass key, readable by root only: nginx's master reads it when it loads the
 * configuration, the workers never open it.
 */
export class DefenceFiles {
  constructor(
    private readonly files: FilesAdapter,
    private readonly stateDir: string,
    private readonly limits: GuardLimits,
  ) {}

  async prepare(siteKey: string, row: DefenceInput): Promise<VhostDefence> {
    const dirs = defenceDir(this.stateDir);
    const keyFile = passKeyFile(this.stateDir, siteKey);
    if (row.level !== 'off') await this.writeShared();
    if (row.level === 'challenge') {
      if (!row.passKey) throw new Error('the site has no pass key for its challenge');
      await this.files.ensureDir(dirs.keys, 0o700);
      await this.writeIfChanged(keyFile, passKeyConf(row.passKey()), 0o600);
    } else {
      await this.files.remove(keyFile);
    }
    return {
      level: row.level,
      exemptPaths: row.exemptPaths,
      shieldRanges: row.shieldRanges,
      modulePath: dirs.module,
      pagesDir: dirs.pages,
      limits: this.limits,
      ...(row.level === 'challenge' ? { keyFile } : {}),
    };
  }

  private async writeShared(): Promise<void> {
    const dirs = defenceDir(this.stateDir);
    await this.files.ensureDir(dirs.pages, 0o755);
    await Promise.all([
      this.writeIfChanged(dirs.module, NJS_MODULE, 0o644),
      this.writeIfChanged(join(dirs.pages, 'challenge.html'), CHALLENGE_HTML, 0o644),
      this.writeIfChanged(join(dirs.pages, 'pow.js'), POW_JS, 0o644),
    ]);
  }

  private async writeIfChanged(path: string, text: string, mode: number): Promise<void> {
    const current = await this.files.readIfExists(path);
    if (current?.toString('utf8') !== text) await this.files.writeAtomic(path, text, mode);
  }
}
