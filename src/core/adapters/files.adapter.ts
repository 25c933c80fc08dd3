import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * File writes that never leave a half-written file behind: write to a
 * temporary name in the same folder, fsync, rename into place.
 */
export class FilesAdapter {
  async writeAtomic(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    await fs.mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(tmp, 'wx', mode);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.chmod(tmp, mode);
      await fs.rename(tmp, path);
    } catch (error) {
      await fs.rm(tmp, { force: true });
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
}
