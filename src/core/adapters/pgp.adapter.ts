import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { ReadableStream as NodeWebReadable } from 'node:stream/web';
import * as openpgp from 'openpgp';

export interface PublicKeyInfo {
  /** Upper-case hex, as `gpg --fingerprint` shows it (without spaces). */
  fingerprint: string;
  userIds: string[];
  algorithm: string;
  canEncrypt: boolean;
}

export interface SigningKeyPair {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  fingerprint: string;
}

export interface EncryptRequest {
  input: Readable;
  recipientPublicKey: string;
  signingPrivateKey: string;
}

export interface DecryptRequest {
  input: Readable;
  memberPrivateKey: string;
  passphrase?: string;
  /** The host's public signing key; when given, the plaintext stream errors unless the message is signed by it. */
  verifyWith?: string;
}

/** The key someone handed us is unusable; the message is meant for them. */
export class PgpKeyError extends Error {
  override name = 'PgpKeyError';
}

/** A message could not be decrypted or did not verify. */
export class PgpMessageError extends Error {
  override name = 'PgpMessageError';
}

/**
 * OpenPGP for backups: encrypt to a member's key, sign with the host's key.
 * Everything streams, so a backup of any size costs constant memory.
 */
export class PgpAdapter {
  async parsePublicKey(armored: string): Promise<PublicKeyInfo> {
    const key = await readPublicKey(armored);
    await assertUsable(key);
    return {
      fingerprint: key.getFingerprint().toUpperCase(),
      userIds: key.getUserIDs(),
      algorithm: describeAlgorithm(key.getAlgorithmInfo()),
      canEncrypt: true,
    };
  }

  async generateSigningKey(name: string): Promise<SigningKeyPair> {
    // Legacy Ed25519 rather than RFC 9580's: GnuPG 2.2/2.4, which members use to verify, only reads the legacy form.
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name }],
      subkeys: [],
      format: 'object',
    });
    return {
      armoredPrivateKey: privateKey.armor(),
      armoredPublicKey: publicKey.armor(),
      fingerprint: publicKey.getFingerprint().toUpperCase(),
    };
  }

  /** A binary OpenPGP message: encrypted to the member, signed inside by the host. */
  async encryptStream(request: EncryptRequest): Promise<Readable> {
    const setup = gate();
    const input = toWeb(request.input, setup.done);
    return releasingOnFailure(request.input, async () => {
      const recipient = await readPublicKey(request.recipientPublicKey);
      await assertUsable(recipient);
      const signer = await readSigningKey(request.signingPrivateKey);
      const message = await openpgp.createMessage({ binary: input });
      const encrypted = await openpgp.encrypt({ message, encryptionKeys: recipient, signingKeys: signer, format: 'binary' });
      setup.open();
      return fromWeb(encrypted);
    });
  }

  /** An armoured signature over the ciphertext, so anyone can check a backup's integrity without the member's key. */
  async signDetached(ciphertext: Readable | string, signingPrivateKey: string): Promise<string> {
    const source = asStream(ciphertext);
    const setup = gate();
    const input = toWeb(source, setup.done);
    return releasingOnFailure(source, async () => {
      const signer = await readSigningKey(signingPrivateKey);
      const message = await openpgp.createMessage({ binary: input });
      const signature = await openpgp.sign({ message, signingKeys: signer, detached: true, format: 'armored' });
      setup.open();
      return readText(fromWeb(signature));
    });
  }

  async verifyDetached(ciphertextPath: string, armoredSignature: string, signingPublicKey: string): Promise<boolean> {
    const verificationKey = await readPublicKey(signingPublicKey);
    const signature = await openpgp.readSignature({ armoredSignature }).catch(() => undefined);
    if (!signature) return false;
    const message = await openpgp.createMessage({ binary: toWeb(createReadStream(ciphertextPath)) });
    const result = await openpgp.verify({ message, signature, verificationKeys: verificationKey, format: 'binary' });
    // The verdict only settles once the data has been read through.
    await drain(fromWeb(result.data));
    return allVerified(result.signatures);
  }

  /** Plaintext as a stream; it errors at the end if the message was tampered with or (with verifyWith) not signed by the host. */
  async decryptStream(request: DecryptRequest): Promise<Readable> {
    const input = toWeb(request.input);
    return releasingOnFailure(request.input, async () => {
      const decryptionKey = await readDecryptionKey(request.memberPrivateKey, request.passphrase);
      const verificationKeys = request.verifyWith ? await readPublicKey(request.verifyWith) : undefined;
      const result = await decryptMessage(input, decryptionKey, verificationKeys);
      return guarded(fromWeb(result.data), verificationKeys && (() => allVerified(result.signatures)));
    });
  }
}

async function decryptMessage(input: NodeWebReadable<Uint8Array>, decryptionKey: openpgp.PrivateKey, verificationKeys?: openpgp.Key) {
  try {
    const message = await openpgp.readMessage({ binaryMessage: input });
    return await openpgp.decrypt({
      message,
      decryptionKeys: decryptionKey,
      verificationKeys,
      expectSigned: verificationKeys !== undefined,
      format: 'binary',
      // Otherwise openpgp buffers a whole non-AEAD message before releasing a byte. Integrity is still
      // checked: the stream errors at the end, so consumers must treat output as tentative until then.
      config: { allowUnauthenticatedStream: true },
    });
  } catch (error) {
    throw new PgpMessageError(`cannot decrypt: ${(error as Error).message}`);
  }
}

async function readPublicKey(armored: string): Promise<openpgp.Key> {
  if (!armored?.trim()) throw new PgpKeyError('no key given; paste an ASCII-armoured OpenPGP public key');
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(armored)) throw privateKeyError();
  const keys = await openpgp.readKeys({ armoredKeys: armored }).catch(() => {
    throw new PgpKeyError('not an ASCII-armoured OpenPGP public key (expected "-----BEGIN PGP PUBLIC KEY BLOCK-----")');
  });
  if (keys.length !== 1) throw new PgpKeyError(`expected exactly one public key, found ${keys.length}`);
  if (keys[0].isPrivate()) throw privateKeyError();
  return keys[0];
}

function privateKeyError(): PgpKeyError {
  return new PgpKeyError('this is a private key; send the public key only');
}

async function assertUsable(key: openpgp.Key): Promise<void> {
  try {
    await key.verifyPrimaryKey();
  } catch (error) {
    throw new PgpKeyError(`key is not valid now (expired, revoked or badly self-signed): ${(error as Error).message}`);
  }
  try {
    await key.getEncryptionKey();
  } catch {
    throw new PgpKeyError('key has no valid encryption subkey; it can sign but nothing can be encrypted to it');
  }
}

async function readSigningKey(armored: string): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored }).catch(() => {
    throw new PgpKeyError('the host signing key is not an armoured OpenPGP private key');
  });
  if (!key.isDecrypted()) throw new PgpKeyError('the host signing key must not be passphrase-protected');
  return key;
}

async function readDecryptionKey(armored: string, passphrase?: string): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored }).catch(() => {
    throw new PgpKeyError('not an armoured OpenPGP private key');
  });
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) throw new PgpKeyError('the private key is passphrase-protected; a passphrase is needed');
  return openpgp.decryptKey({ privateKey: key, passphrase }).catch(() => {
    throw new PgpKeyError('wrong passphrase for the private key');
  });
}

async function allVerified(signatures: openpgp.DecryptMessageResult['signatures']): Promise<boolean> {
  if (signatures.length === 0) return false;
  const verdicts = await Promise.all(signatures.map((signature) => signature.verified.catch(() => false)));
  return verdicts.every((verdict) => verdict === true);
}

/** Surfaces every failure of the plaintext as a PgpMessageError, and runs `check` before the stream may end. */
function guarded(source: Readable, check?: () => Promise<boolean>): Readable {
  const gate = new Transform({
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: (callback) => {
      if (!check) return callback();
      check().then((ok) => callback(ok ? null : new PgpMessageError('the message is not signed by the expected host key')), callback);
    },
  });
  source.on('error', (error) => gate.destroy(new PgpMessageError(`the message failed its integrity check: ${error.message}`)));
  gate.on('close', () => source.destroy());
  return source.pipe(gate);
}

/** A source nobody will read any more must be destroyed, or a producer such as tar waits on it forever. */
async function releasingOnFailure<T>(source: Readable, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    source.destroy();
    throw error;
  }
}

function describeAlgorithm(info: openpgp.AlgorithmInfo): string {
  if (info.bits) return `${info.algorithm}${info.bits}`;
  if (info.curve) return `${info.algorithm}/${info.curve}`;
  return info.algorithm;
}

function asStream(input: Readable | string): Readable {
  return typeof input === 'string' ? createReadStream(input) : input;
}

/**
 * A pull-based web stream over `source`; call it before any await.
 *
 * Readable.toWeb pushes eagerly: a source that fails before openpgp reads becomes
 * an unhandled rejection, and an already-destroyed one becomes a clean, empty
 * stream (a truncated backup, encrypted without complaint). And while
 * encrypt()/sign() set up, openpgp holds the signature as a promise nobody awaits
 * yet, so a failure delivered then is an unhandled rejection that takes the
 * process down. Failures therefore wait for `ready`: until setup is over, or
 * forever if setup failed and nobody will read.
 */
function toWeb(source: Readable, ready: Promise<void> = Promise.resolve()): NodeWebReadable<Uint8Array> {
  // Nobody listens until the first pull; keep the failure for that pull instead of crashing.
  source.on('error', () => undefined);
  const chunks = source[Symbol.asyncIterator]();
  return new NodeWebReadable<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next().catch(async (error: unknown) => {
          await ready;
          throw error;
        });
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function gate(): { done: Promise<void>; open: () => void } {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

function fromWeb(stream: unknown): Readable {
  return Readable.fromWeb(stream as NodeWebReadable<Uint8Array>);
}

async function drain(stream: Readable): Promise<void> {
  for await (const _chunk of stream) void _chunk;
}

async function readText(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text;
}
