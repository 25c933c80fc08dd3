import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** Writes `files` (relative path → content) under `root`, creating folders as needed. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await fs.mkdir(join(root, path, '..'), { recursive: true });
    await fs.writeFile(join(root, path), content);
  }
}

/** Every entry under `root` by relative path: file contents, `<dir>` or `-> target`, for byte-for-byte comparison. */
export async function readTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const full = join(entry.parentPath, entry.name);
    const path = full.slice(root.length + 1);
    if (entry.isDirectory()) tree[path] = '<dir>';
    else if (entry.isSymbolicLink()) tree[path] = `-> ${await fs.readlink(full)}`;
    else tree[path] = (await fs.readFile(full)).toString('base64');
  }
  return tree;
}
