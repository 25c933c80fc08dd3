import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A new, empty folder next to `target` (same filesystem, so renames are atomic). */
export async function siblingFolder(target: string, purpose: string): Promise<string> {
  await fs.mkdir(dirname(target), { recursive: true });
  const path = join(dirname(target), `.${basename(target)}.${purpose}-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(path, { mode: 0o755 });
  return path;
}

/**
 * Puts `replacement` where `target` is. The old content is moved aside first
 * and comes back if the second rename fails; it is removed only once the new
 * content is in place.
 */
export async function swapInto(replacement: string, target: string): Promise<void> {
  const aside = join(dirname(target), `.${basename(target)}.old-${randomBytes(6).toString('hex')}`);
  const hadOld = await fs.rename(target, aside).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  try {
    await fs.rename(replacement, target);
  } catch (error) {
    if (hadOld) await fs.rename(aside, target);
    throw error;
  }
  if (hadOld) await fs.rm(aside, { recursive: true, force: true });
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
