import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PathExchange } from '../core/adapters/path-exchange.adapter.js';

/** A new, empty folder next to `target` (same filesystem, so renames are atomic). */
export async function siblingFolder(target: string, purpose: string): Promise<string> {
  await fs.mkdir(dirname(target), { recursive: true });
  const path = join(dirname(target), `.${basename(target)}.${purpose}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(path, { mode: 0o755 });
  return path;
}

/** One folder swap in progress, as its journal entry records it. */
export interface StagedSwap {
  id: string;
  target: string;
  /** filled by the caller, then renamed onto target */
  replacement: string;
  /** where target's old content waits while the new content moves in */
  aside: string;
}

const exists = (path: string) => fs.lstat(path).then(() => true, () => false);

/**
 * Replaces a folder (a site's document root) with a new one in one atomic
 * exchange (renameat2), so the site is never without its document root; where
 * the system cannot exchange, by two renames. Each swap is journalled before
 * its staging folder exists, and a start repairs what a crash left: the target
 * always keeps whatever it holds (old content before the exchange, new after),
 * and whatever is left beside it goes. Only the two-rename fallback has a
 * moment without a target; a crash there gets the old content back.
 */
@Injectable()
export class FolderSwap implements OnApplicationBootstrap {
  private readonly logger = new Logger(FolderSwap.name);
  private readonly journalDir: string;

  constructor(
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'stateDir'>,
    private readonly paths: PathExchange,
  ) {
    this.journalDir = join(config.stateDir, 'folder-swaps');
  }

  async onApplicationBootstrap(): Promise<void> {
    const repaired = await this.repair();
    if (repaired > 0) this.logger.warn(`repaired ${repaired} folder swap(s) a crash had left half-done`);
  }

  /** An empty staging folder beside `target`, journalled before anything is written into it. */
  async stage(target: string, purpose: string): Promise<StagedSwap> {
    const id = randomBytes(8).toString('hex');
    const prefix = join(dirname(target), `.${basename(target)}`);
    const staged = { id, target, replacement: `${prefix}.${purpose}-${id}`, aside: `${prefix}.old-${id}` };
    await fs.mkdir(this.journalDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(dirname(target), { recursive: true });
    const tmp = join(this.journalDir, `.${id}.json`);
    await fs.writeFile(tmp, JSON.stringify(staged), { mode: 0o600 });
    await fs.rename(tmp, this.entry(id));
    await fs.mkdir(staged.replacement, { mode: 0o755 });
    return staged;
  }

  /** Puts the replacement in place; the old content is removed only once the new content is there. */
  async swap(staged: StagedSwap): Promise<void> {
    if ((await exists(staged.target)) && (await this.paths.exchange(staged.replacement, staged.target))) {
      // The staging name now holds the old content.
      await fs.rm(staged.replacement, { recursive: true, force: true });
      await fs.rm(this.entry(staged.id), { force: true });
      return;
    }
    await this.renameInto(staged);
  }

  private async renameInto(staged: StagedSwap): Promise<void> {
    const hadOld = await fs.rename(staged.target, staged.aside).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    try {
      await fs.rename(staged.replacement, staged.target);
    } catch (error) {
      if (hadOld) await fs.rename(staged.aside, staged.target);
      throw error;
    }
    await fs.rm(staged.aside, { recursive: true, force: true });
    await fs.rm(this.entry(staged.id), { force: true });
  }

  async discard(staged: StagedSwap): Promise<void> {
    await fs.rm(staged.replacement, { recursive: true, force: true });
    await fs.rm(this.entry(staged.id), { force: true });
  }

  /** Finishes or undoes every swap the journal still holds; returns how many there were. */
  async repair(): Promise<number> {
    const names = await fs.readdir(this.journalDir).catch(() => [] as string[]);
    let repaired = 0;
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
      const staged = JSON.parse(await fs.readFile(join(this.journalDir, name), 'utf8')) as StagedSwap;
      await this.settle(staged);
      await fs.rm(join(this.journalDir, name), { force: true });
      repaired += 1;
    }
    return repaired;
  }

  private async settle(staged: StagedSwap): Promise<void> {
    if (!(await exists(staged.target))) {
      // Died between the two renames: the old content goes back (the operation runs again, or failed).
      if (await exists(staged.aside)) await fs.rename(staged.aside, staged.target);
      else if (await exists(staged.replacement)) await fs.rename(staged.replacement, staged.target);
    }
    await fs.rm(staged.aside, { recursive: true, force: true });
    await fs.rm(staged.replacement, { recursive: true, force: true });
  }

  private entry(id: string): string {
    return join(this.journalDir, `${id}.json`);
  }
}

export interface TreeEntry {
  path: string;
  size: number;
}

/** Every regular file under `root`, relative path and size. */
export async function listFiles(root: string): Promise<TreeEntry[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const files: TreeEntry[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: full.slice(root.length + 1), size: (await fs.stat(full)).size });
  }
  return files;
}
