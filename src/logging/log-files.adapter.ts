import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { dayOfFirstLine, dayOfName, HeldFile } from './log-retention.js';

/** A file that was deleted or emptied, with what it held at that moment. */
export interface PurgedFile {
  name: string;
  bytes: number;
  firstDay?: string;
  lastDay?: string;
  /** emptied in place rather than deleted (the live error log) */
  emptied?: boolean;
}

const HEAD_BYTES = 32;

/**
 * The only code that touches a site's log folder: lists what is on disk,
 * deletes files, empties the one file nginx keeps open. Callers pass the
 * folder (built from validated site keys) and names it returned itself.
 */
export class LogFilesAdapter {
  /** Regular files directly in the folder; a missing folder holds nothing. */
  async list(dir: string): Promise<HeldFile[]> {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files = await Promise.all(names.map((name) => this.describe(dir, name)));
    return files.filter((file): file is HeldFile => file !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deletes each file; returns the ones that were there, with their size just before. */
  async remove(dir: string, names: string[]): Promise<PurgedFile[]> {
    const removed = await Promise.all(
      names.map(async (name): Promise<PurgedFile | undefined> => {
        const path = join(dir, assertPlainName(name));
        const stat = await statIfExists(path);
        if (!stat?.isFile()) return undefined;
        await fs.rm(path, { force: true });
        return { name, bytes: stat.size };
      }),
    );
    return removed.filter((file): file is PurgedFile => file !== undefined);
  }

  /**
   * Empties a file in place: nginx writes its error log with O_APPEND through
   * a descriptor it keeps, so truncating is safe where deleting would leave
   * nginx writing into an unlinked file until its next reload.
   */
  async empty(dir: string, name: string): Promise<PurgedFile | undefined> {
    const path = join(dir, assertPlainName(name));
    const stat = await statIfExists(path);
    if (!stat?.isFile()) return undefined;
    await fs.truncate(path, 0);
    return { name, bytes: stat.size };
  }

  private async describe(dir: string, name: string): Promise<HeldFile | undefined> {
    const stat = await statIfExists(join(dir, name));
    if (!stat?.isFile()) return undefined;
    const nameDay = dayOfName(name);
    const firstLineDay = nameDay || name.endsWith('.gz') || stat.size === 0 ? undefined : await this.firstLineDay(join(dir, name));
    return {
      name,
      bytes: stat.size,
      modifiedAt: stat.mtime,
      ...(nameDay ? { nameDay } : {}),
      ...(firstLineDay ? { firstLineDay } : {}),
    };
  }

  private async firstLineDay(path: string): Promise<string | undefined> {
    const handle = await fs.open(path, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      return dayOfFirstLine(buffer.subarray(0, bytesRead).toString('latin1'));
    } finally {
      await handle.close();
    }
  }
}

function assertPlainName(name: string): string {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new Error(`not a plain file name: ${JSON.stringify(name)}`);
  }
  return name;
}

async function statIfExists(path: string) {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
