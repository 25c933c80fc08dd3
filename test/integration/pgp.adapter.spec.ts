import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import { ArchiveAdapter } from '../../src/core/adapters/archive.adapter.js';
import { PgpAdapter, PgpKeyError, PgpMessageError, SigningKeyPair } from '../../src/core/adapters/pgp.adapter.js';
import { readTree, writeTree } from '../support/file-tree.js';

const MB = 1024 * 1024;

/** `total` bytes of random data, produced only as fast as it is read; `produced()` says how far it got. */
function generated(total: number): { stream: Readable; produced: () => number } {
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= total) return this.push(null);
      const chunk = randomBytes(Math.min(64 * 1024, total - produced));
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, produced: () => produced };
}

/** Consumes a stream, recording how far `ahead()` ever ran beyond the bytes consumed. */
async function consumeWatching(stream: Readable, ahead: () => number): Promise<{ bytes: number; maxLead: number }> {
  let bytes = 0;
  let maxLead = 0;
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        maxLead = Math.max(maxLead, ahead() - bytes);
        callback();
      },
    }),
  );
  return { bytes, maxLead };
}

function counting(counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

describe('PgpAdapter (real openpgp)', () => {
  const pgp = new PgpAdapter();
  const archive = new ArchiveAdapter();
  let root: string;
  let host: SigningKeyPair;
  let member: { privateKey: string; publicKey: string };

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'hk-pgp-'));
    host = await pgp.generateSigningKey('hostkeeper test host');
    member = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Member', email: 'member@example.org' }],
      format: 'armored',
    });
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function encryptToFile(input: Readable, name: string): Promise<string> {
    const path = join(root, name);
    const encrypted = await pgp.encryptStream({ input, recipientPublicKey: member.publicKey, signingPrivateKey: host.armoredPrivateKey });
    await pipeline(encrypted, createWriteStream(path));
    return path;
  }

  describe('parsePublicKey', () => {
    it('describes a usable member key', async () => {
      const info = await pgp.parsePublicKey(member.publicKey);

      expect(info.fingerprint).toMatch(/^[0-9A-F]{40}$/);
      expect(info.userIds).toEqual(['Member <member@example.org>']);
      expect(info.algorithm).toBe('eddsaLegacy/ed25519Legacy');
      expect(info.canEncrypt).toBe(true);
    });

    it.each([
      ['an empty string', () => '', /no key given/],
      ['garbage', () => 'hello, this is my key', /not an ASCII-armoured OpenPGP public key/],
      ['a private key', () => member.privateKey, /this is a private key; send the public key only/],
      ['a signing-only key', () => host.armoredPublicKey, /no valid encryption subkey/],
    ])('rejects %s', async (_label, key, message) => {
      await expect(pgp.parsePublicKey(key())).rejects.toThrow(PgpKeyError);
      await expect(pgp.parsePublicKey(key())).rejects.toThrow(message);
    });

    it('rejects an expired key and a revoked key', async () => {
      const expired = await openpgp.generateKey({
        userIDs: [{ name: 'Old' }],
        curve: 'curve25519Legacy',
        date: new Date(Date.now() - 3600_000),
        keyExpirationTime: 60,
      });
      const fresh = await openpgp.generateKey({ userIDs: [{ name: 'Gone' }], curve: 'curve25519Legacy', format: 'object' });
      const revoked = await openpgp.revokeKey({ key: fresh.privateKey });

      await expect(pgp.parsePublicKey(expired.publicKey)).rejects.toThrow(/not valid now/);
      await expect(pgp.parsePublicKey(revoked.publicKey)).rejects.toThrow(/not valid now/);
    });
  });

  describe('encrypted directory archives', () => {
    let site: string;
    let ciphertext: string;

    beforeAll(async () => {
      site = join(root, 'site');
      await writeTree(site, { 'index.html': '<h1>hi</h1>', 'img/photo.jpg': randomBytes(2 * MB), 'empty.txt': '' });
      await fs.mkdir(join(site, 'empty-dir'));
      await fs.symlink('index.html', join(site, 'home.html'));
      ciphertext = await encryptToFile(archive.pack(site), 'site.tar.gz.gpg');
    });

    it('decrypts with the member key and unpacks to the same tree', async () => {
      const plaintext = await pgp.decryptStream({
        input: createReadStream(ciphertext),
        memberPrivateKey: member.privateKey,
        verifyWith: host.armoredPublicKey,
      });
      const target = join(root, 'restored');
      await archive.unpack(plaintext, target);

      expect(await readTree(target)).toEqual(await readTree(site));
    });

    it('cannot be decrypted with the host signing key', async () => {
      const attempt = pgp.decryptStream({ input: createReadStream(ciphertext), memberPrivateKey: host.armoredPrivateKey });

      await expect(attempt).rejects.toThrow(PgpMessageError);
    });

    it('fails verification against a key that did not sign it', async () => {
      const stranger = await pgp.generateSigningKey('stranger');
      const plaintext = await pgp.decryptStream({
        input: createReadStream(ciphertext),
        memberPrivateKey: member.privateKey,
        verifyWith: stranger.armoredPublicKey,
      });

      await expect(consumeWatching(plaintext, () => 0)).rejects.toThrow(PgpMessageError);
    });

    it('has a detached signature that verifies, and fails once a byte is flipped', async () => {
      const signature = await pgp.signDetached(ciphertext, host.armoredPrivateKey);
      expect(signature).toContain('-----BEGIN PGP SIGNATURE-----');
      expect(await pgp.verifyDetached(ciphertext, signature, host.armoredPublicKey)).toBe(true);

      const tampered = join(root, 'tampered.gpg');
      const bytes = await fs.readFile(ciphertext);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      await fs.writeFile(tampered, bytes);

      expect(await pgp.verifyDetached(tampered, signature, host.armoredPublicKey)).toBe(false);
      expect(await pgp.verifyDetached(ciphertext, 'not a signature', host.armoredPublicKey)).toBe(false);
    });

    it('signs a stream as well as a file, with the same result', async () => {
      const signature = await pgp.signDetached(createReadStream(ciphertext), host.armoredPrivateKey);

      expect(await pgp.verifyDetached(ciphertext, signature, host.armoredPublicKey)).toBe(true);
    });

    it('errors on a tampered ciphertext instead of yielding it silently', async () => {
      const bytes = await fs.readFile(ciphertext);
      bytes[bytes.length - 100] ^= 0x01;
      const plaintext = await pgp.decryptStream({ input: Readable.from([bytes]), memberPrivateKey: member.privateKey });

      await expect(consumeWatching(plaintext, () => 0)).rejects.toThrow(PgpMessageError);
    });
  });

  it('fails the encrypted stream when the archive fails, rather than encrypting a truncated backup', async () => {
    const outcome = pgp
      .encryptStream({ input: archive.pack(join(root, 'no-such-site')), recipientPublicKey: member.publicKey, signingPrivateKey: host.armoredPrivateKey })
      .then((encrypted) => consumeWatching(encrypted, () => 0));

    // Whether tar fails before or after encryption starts, the failure must surface.
    await expect(outcome).rejects.toThrow(/tar exited/);
  });

  it('stops the archive when the recipient key is unusable', async () => {
    const input = archive.pack(root);
    const attempt = pgp.encryptStream({ input, recipientPublicKey: host.armoredPublicKey, signingPrivateKey: host.armoredPrivateKey });

    await expect(attempt).rejects.toThrow(PgpKeyError);
    expect(input.destroyed).toBe(true);
  });

  it('rejects a detached signature over input that fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk went away'));
      },
    });

    await expect(pgp.signDetached(failing, host.armoredPrivateKey)).rejects.toThrow('disk went away');
  });

  it('rejects input that is not an OpenPGP message', async () => {
    const attempt = pgp.decryptStream({ input: Readable.from([Buffer.from('plain text')]), memberPrivateKey: member.privateKey });

    await expect(attempt).rejects.toThrow(PgpMessageError);
  });

  describe('streaming', () => {
    const size = 50 * MB;

    it('encrypts and decrypts 50 MB without holding it in memory', async () => {
      const source = generated(size);
      const encrypted = await pgp.encryptStream({
        input: source.stream,
        recipientPublicKey: member.publicKey,
        signingPrivateKey: host.armoredPrivateKey,
      });
      const encryption = await consumeWatching(encrypted, source.produced);
      expect(encryption.bytes).toBeGreaterThan(size);
      expect(encryption.maxLead).toBeLessThan(4 * MB);

      const path = await encryptToFile(generated(size).stream, 'large.gpg');
      const read = { bytes: 0 };
      const plaintext = await pgp.decryptStream({
        input: createReadStream(path).pipe(counting(read)),
        memberPrivateKey: member.privateKey,
        verifyWith: host.armoredPublicKey,
      });
      const decryption = await consumeWatching(plaintext, () => read.bytes);
      expect(decryption.bytes).toBe(size);
      expect(decryption.maxLead).toBeLessThan(4 * MB);
    });
  });
});
