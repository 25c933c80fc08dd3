import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { certificatePaths } from './vhost.renderer.js';

export interface InstalledPaths {
  certificatePath: string;
  keyPath: string;
}

/**
 * The installed copy of a site's current certificate under STATE_DIR. The
 * rows in Postgres are the truth; these files are rewritten from them
 * whenever they differ, so a lost or stale file heals on the next apply.
 */
export async function installCertificateFiles(
  files: FilesAdapter,
  stateDir: string,
  siteKey: string,
  chainPem: string,
  keyPem: () => string,
): Promise<InstalledPaths> {
  const paths = certificatePaths(stateDir, siteKey);
  const [chain, key] = await Promise.all([files.readIfExists(paths.certificatePath), files.readIfExists(paths.keyPath)]);
  if (chain?.toString('utf8') !== chainPem || key === undefined) {
    await files.ensureDir(paths.dir, 0o700);
    // The key first: nginx must never see a new chain next to an old key.
    await files.writeAtomic(paths.keyPath, keyPem(), 0o600);
    await files.writeAtomic(paths.certificatePath, chainPem, 0o644);
  }
  return paths;
}

export async function removeCertificateFiles(files: FilesAdapter, stateDir: string, siteKey: string): Promise<void> {
  await files.remove(certificatePaths(stateDir, siteKey).dir);
}
