import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';

/**
 * An agent's two key pairs: X25519, which secrets for its sites are sealed
 * to, and Ed25519, which it signs its results with. The private halves live
 * only with the agent (its settings, or a 0600 file on its own disk); the
 * control plane keeps the public halves in Postgres.
 */
export interface AgentKeyPair {
  sealPublicKey: string;
  signPublicKey: string;
  /** base64 of both private halves (PKCS#8 DER), joined by '.' */
  privateKey: string;
}

const SEAL_INFO = 'hostkeeper sealed box v1';
const SEALED_PREFIX = 'hks1';

export function generateAgentKeys(): AgentKeyPair {
  const seal = generateKeyPairSync('x25519');
  const signing = generateKeyPairSync('ed25519');
  return {
    sealPublicKey: base64Der(seal.publicKey, 'spki'),
    signPublicKey: base64Der(signing.publicKey, 'spki'),
    privateKey: `${base64Der(seal.privateKey, 'pkcs8')}.${base64Der(signing.privateKey, 'pkcs8')}`,
  };
}

/** The public halves that belong to an encoded `privateKey`, as `generateAgentKeys` gave them out. */
export function publicKeysOf(privateKey: string): Pick<AgentKeyPair, 'sealPublicKey' | 'signPublicKey'> {
  const [seal, signing] = privateKey.split('.');
  return {
    sealPublicKey: base64Der(createPublicKey(fromPkcs8(seal)), 'spki'),
    signPublicKey: base64Der(createPublicKey(fromPkcs8(signing)), 'spki'),
  };
}

function base64Der(key: KeyObject, type: 'spki' | 'pkcs8'): string {
  return key.export({ format: 'der', type }).toString('base64');
}

function fromPkcs8(base64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
}

export class AgentPrivateKeys {
  private readonly seal: KeyObject;
  private readonly signing: KeyObject;

  constructor(encoded: string) {
    const [seal, signing] = encoded.trim().split('.');
    if (!seal || !signing) throw new Error('AGENT_PRIVATE_KEY is not an agent key (expected two base64 parts joined by ".")');
    this.seal = fromPkcs8(seal);
    this.signing = fromPkcs8(signing);
    if (this.seal.asymmetricKeyType !== 'x25519' || this.signing.asymmetricKeyType !== 'ed25519') {
      throw new Error('AGENT_PRIVATE_KEY holds the wrong kinds of keys (expected X25519 and Ed25519)');
    }
  }

  open(sealed: string): string {
    const [prefix, ephemeral, iv, tag, body] = sealed.split('.');
    if (prefix !== SEALED_PREFIX || !ephemeral || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const ephemeralDer = Buffer.from(ephemeral, 'base64');
    const shared = diffieHellman({ privateKey: this.seal, publicKey: createPublicKey({ key: ephemeralDer, format: 'der', type: 'spki' }) });
    const key = Buffer.from(hkdfSync('sha256', shared, ephemeralDer, SEAL_INFO, 32));
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  sign(body: string): string {
    return sign(null, Buffer.from(body, 'utf8'), this.signing).toString('base64');
  }
}

/** Seals a secret so only the holder of the X25519 private key can open it (ephemeral ECDH, HKDF, AES-256-GCM). */
export function sealTo(sealPublicKey: string, plaintext: string): string {
  const recipient = createPublicKey({ key: Buffer.from(sealPublicKey, 'base64'), format: 'der', type: 'spki' });
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralDer = ephemeral.publicKey.export({ format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  const key = Buffer.from(hkdfSync('sha256', shared, ephemeralDer, SEAL_INFO, 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [SEALED_PREFIX, ephemeralDer.toString('base64'), iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

const verifiers = new Map<string, KeyObject>();

export function verifySigned(signPublicKey: string, body: string, signature: string): boolean {
  let key = verifiers.get(signPublicKey);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(signPublicKey, 'base64'), format: 'der', type: 'spki' });
    verifiers.set(signPublicKey, key);
  }
  try {
    return verify(null, Buffer.from(body, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
