import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * File writes that never leave a half-written file behind: write to a
 * temporary name in the same folder, fsync, rename into place.
 */
export class FilesAdapter {
  writeAtomic(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    return this.writeAtomicWith(path, mode, (tmp) => fs.writeFile(tmp, data, { flag: 'wx', mode }));
  }

  /**
   * A file that `write` fills (from a stream, say) lands whole or not at all:
   * `write` is given a temporary path beside `path`; the file is then flushed
   * to disk and renamed into place, or removed if anything failed.
   */
  async writeAtomicWith<T>(path: string, mode: number, write: (tmp: string) => Promise<T>): Promise<T> {
    await fs.mkdir(dirname(path), { recursive: true });
    const tmp = tempPathFor(path);
    try {
      const result = await write(tmp);
      const handle = await fs.open(tmp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.chmod(tmp, mode);
      await fs.rename(tmp, path);
      return result;
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
  }

  /**
   * Many files at once, each still all-or-nothing: every file is written to
   * its temporary name first, then `flush` makes them durable in one go (one
   * syncfs instead of a thousand fsyncs), then each is renamed into place.
   */
  async writeAtomicMany(entries: Array<{ path: string; data: string | Buffer; mode?: number }>, flush: () => Promise<void>): Promise<void> {
    const staged: Array<{ tmp: string; path: string }> = [];
    try {
      await Promise.all([...new Set(entries.map(({ path }) => dirname(path)))].map((dir) => fs.mkdir(dir, { recursive: true })));
      await Promise.all(
        entries.map(async ({ path, data, mode = 0o644 }) => {
          const tmp = tempPathFor(path);
          staged.push({ tmp, path });
          await fs.writeFile(tmp, data, { flag: 'wx', mode });
          await fs.chmod(tmp, mode);
        }),
      );
      await flush();
      await Promise.all(staged.map(({ tmp, path }) => fs.rename(tmp, path)));
    } catch (error) {
      await Promise.all(staged.map(({ tmp }) => fs.rm(tmp, { force: true })));
      throw error;
    }
  }

  async readIfExists(path: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    await fs.rm(path, { force: true, recursive: true });
  }

  async ensureDir(path: string, mode = 0o755): Promise<void> {
    await fs.mkdir(path, { recursive: true, mode });
  }

  /**
   * A folder with exactly this owner and mode, whatever it had before (its
   * parents are created 0755 so others can still pass through). Without
   * root, ownership cannot change: the folder stays ours, and so is whoever
   * runs nginx's workers then.
   */
  async ensureDirOwned(path: string, owner: { uid: number; gid: number } | undefined, mode: number): Promise<void> {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await fs.mkdir(path, { recursive: true, mode });
    if (owner && process.getuid?.() === 0) {
      const stat = await fs.stat(path);
      if (stat.uid !== owner.uid || stat.gid !== owner.gid) await fs.chown(path, owner.uid, owner.gid);
    }
    await fs.chmod(path, mode);
  }

  async stat(path: string): Promise<{ uid: number; gid: number; mode: number; isDirectory: boolean } | undefined> {
    try {
      const stat = await fs.stat(path);
      return { uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777, isDirectory: stat.isDirectory() };
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  async listDirs(path: string): Promise<string[]> {
    const entries = await fs.readdir(path, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => join(path, entry.name));
  }
}

/** A hidden, unique name beside the final path: renaming it into place stays in one folder, so it is atomic. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}
