import { promises as fs } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { PermanentJobError } from '../core/operations/operation.errors.js';

/**
 * A backup reads the document root as the host's own user. If the root were a
 * symlink (or sat under one) pointing out of SITES_ROOT, the backup would
 * carry whatever it points at — another member's site, /etc — into an archive
 * the member can download. Inside the root, restic and tar store symlinks as
 * symlinks and never follow them.
 */
export async function assertContainedDocumentRoot(documentRoot: string, sitesRoot: string): Promise<void> {
  const stat = await fs.lstat(documentRoot).catch(() => undefined);
  if (!stat) throw new PermanentJobError(`the document root ${documentRoot} does not exist`);
  if (stat.isSymbolicLink()) throw new PermanentJobError(`the document root ${documentRoot} is a symbolic link; backups never follow it`);
  if (!stat.isDirectory()) throw new PermanentJobError(`the document root ${documentRoot} is not a folder`);
  const [real, realSites] = await Promise.all([fs.realpath(documentRoot), fs.realpath(sitesRoot)]);
  const inside = relative(realSites, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new PermanentJobError(`the document root ${documentRoot} leads out of SITES_ROOT (to ${real}); backups never follow it`);
  }
}
