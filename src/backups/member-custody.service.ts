import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveAdapter } from '../core/adapters/archive.adapter.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import { BackupLocations } from './backup-locations.js';
import { listFiles } from './folder-swap.js';
import type { BackupResult, Deleted, SiteRef } from './provider-custody.service.js';
import { KeepRules, selectRetention } from './retention.js';

export interface MemberArchive {
  /** The archive's id: its UTC timestamp, e.g. 20261126T030000123Z. */
  id: string;
  time: Date;
  path: string;
  signaturePath: string;
}

export interface MemberKey {
  privateKey: string;
  passphrase?: string;
}

const SUFFIX = '.tar.gz.pgp';
const ARCHIVE_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/;

export function archiveIdOf(time: Date): string {
  return time.toISOString().replace(/[-:.]/g, '');
}

function timeOfArchiveId(id: string): Date | undefined {
  const m = ARCHIVE_ID.exec(id);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7])) : undefined;
}

export function isArchiveId(id: string): boolean {
  return timeOfArchiveId(id) !== undefined;
}

/**
 * Member custody: each backup is a tar.gz of the site encrypted to the
 * member's OpenPGP key, signed by the service's signing key inside and with a
 * detached signature over the ciphertext. The host keeps nothing that
 * decrypts it. Runs on the site's agent; the signing key comes sealed with
 * each backup command and is held in memory only.
 */
export class MemberCustody {
  constructor(
    private readonly pgp: PgpAdapter,
    private readonly archive: ArchiveAdapter,
    private readonly files: FilesAdapter,
    private readonly locations: BackupLocations,
  ) {}

  async backup(site: SiteRef, memberPublicKey: string, key: { privateKey: string }, now = new Date()): Promise<BackupResult> {
    const id = archiveIdOf(now);
    const path = join(this.locations.memberArchiveDir(site.id), `${id}${SUFFIX}`);
    const counting = listFiles(site.documentRoot);
    // Awaited after the archive is written; until then a failure must not count as unhandled.
    counting.catch(() => undefined);
    // the signature is in place before the archive takes its name: list() never shows an archive without one
    await this.files.writeAtomicWith(path, 0o600, async (tmp) => {
      const encrypted = await this.pgp.encryptStream({ input: this.archive.pack(site.documentRoot), recipientPublicKey: memberPublicKey, signingPrivateKey: key.privateKey });
      const signature = await this.writeSigned(encrypted, tmp, key.privateKey);
      await this.files.writeAtomic(`${path}.sig`, signature, 0o644);
    });
    const [content, { size }] = await Promise.all([counting, fs.stat(path)]);
    return { snapshotId: id, archivePath: path, files: content.length, bytesAdded: size, totalBytes: size };
  }

  async list(siteId: string): Promise<MemberArchive[]> {
    const dir = this.locations.memberArchiveDir(siteId);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    return names
      .filter((name) => name.endsWith(SUFFIX) && !name.startsWith('.'))
      .map((name) => ({ id: name.slice(0, -SUFFIX.length), path: join(dir, name), signaturePath: join(dir, `${name}.sig`) }))
      .flatMap((a) => {
        const time = timeOfArchiveId(a.id);
        return time ? [{ ...a, time }] : [];
      })
      .sort((a, b) => a.time.getTime() - b.time.getTime());
  }

  /** Applies the keep rules to the archives; returns the removed ids. */
  async prune(siteId: string, rules: KeepRules): Promise<string[]> {
    const { remove } = selectRetention(await this.list(siteId), rules);
    for (const archive of remove) await this.removeArchive(archive);
    return remove.map((a) => a.id);
  }

  /** Checks the host's signature over the ciphertext: integrity without the member's key. */
  async verify(archive: MemberArchive, signingPublicKey: string): Promise<boolean> {
    const signature = await fs.readFile(archive.signaturePath, 'utf8').catch(() => undefined);
    if (signature === undefined) return false;
    return this.pgp.verifyDetached(archive.path, signature, signingPublicKey);
  }

  /** Verifies, decrypts and unpacks into `target` (a staging folder the caller swaps in). */
  async restoreInto(siteId: string, archiveId: string, key: MemberKey, publicKey: string, target: string): Promise<void> {
    const archive = (await this.list(siteId)).find((a) => a.id === archiveId);
    if (!archive) throw new ArchiveNotFound(archiveId);
    if (!(await this.verify(archive, publicKey))) throw new ArchiveTampered(archiveId);
    const plaintext = await this.pgp.decryptStream({ input: createReadStream(archive.path), memberPrivateKey: key.privateKey, passphrase: key.passphrase, verifyWith: publicKey });
    await this.archive.unpack(plaintext, target);
  }

  async latest(siteId: string): Promise<MemberArchive | undefined> {
    return (await this.list(siteId)).at(-1);
  }

  latestStream(archive: MemberArchive): Readable {
    return createReadStream(archive.path);
  }

  async deleteAll(siteId: string): Promise<Deleted> {
    const archives = await this.list(siteId);
    let bytes = 0;
    for (const archive of archives) bytes += (await fs.stat(archive.path)).size;
    await fs.rm(this.locations.memberArchiveDir(siteId), { recursive: true, force: true });
    return { items: archives.map((a) => a.path), bytes };
  }

  /** Writes the ciphertext and signs it in the same pass, rather than reading the whole archive back to sign it. */
  private async writeSigned(encrypted: Readable, path: string, signingPrivateKey: string): Promise<string> {
    const copy = new PassThrough();
    encrypted.on('error', (error) => copy.destroy(error));
    encrypted.pipe(copy);
    const signing = this.pgp.signDetached(copy, signingPrivateKey);
    try {
      const [, signature] = await Promise.all([pipeline(encrypted, createWriteStream(path, { mode: 0o600 })), signing]);
      return signature;
    } catch (error) {
      copy.destroy();
      throw error;
    }
  }

  private async removeArchive(archive: MemberArchive): Promise<void> {
    await fs.rm(archive.path, { force: true });
    await fs.rm(archive.signaturePath, { force: true });
  }
}

export class ArchiveNotFound extends Error {
  constructor(id: string) {
    super(`archive ${id} not found for this site`);
  }
}

export class ArchiveTampered extends Error {
  constructor(id: string) {
    super(`archive ${id} does not carry a valid host signature; refusing to restore it`);
  }
}
