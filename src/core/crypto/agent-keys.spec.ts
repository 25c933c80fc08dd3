import { AgentPrivateKeys, generateAgentKeys, publicKeysOf, sealTo, verifySigned } from './agent-keys.js';

describe('agent keys', () => {
  it('seals a secret only its agent can open', () => {
    const mine = generateAgentKeys();
    const other = generateAgentKeys();
    const sealed = sealTo(mine.sealPublicKey, '-----BEGIN PRIVATE KEY-----\nsecret\n');
    expect(sealed).not.toContain('secret');
    expect(new AgentPrivateKeys(mine.privateKey).open(sealed)).toBe('-----BEGIN PRIVATE KEY-----\nsecret\n');
    expect(() => new AgentPrivateKeys(other.privateKey).open(sealed)).toThrow();
  });

  it('signs results that verify only against the signer', () => {
    const mine = generateAgentKeys();
    const other = generateAgentKeys();
    const signature = new AgentPrivateKeys(mine.privateKey).sign('{"ok":true}');
    expect(verifySigned(mine.signPublicKey, '{"ok":true}', signature)).toBe(true);
    expect(verifySigned(mine.signPublicKey, '{"ok":false}', signature)).toBe(false);
    expect(verifySigned(other.signPublicKey, '{"ok":true}', signature)).toBe(false);
  });

  it('derives the public halves from the private ones', () => {
    const mine = generateAgentKeys();
    const other = generateAgentKeys();
    expect(publicKeysOf(mine.privateKey)).toEqual({ sealPublicKey: mine.sealPublicKey, signPublicKey: mine.signPublicKey });
    expect(publicKeysOf(other.privateKey)).not.toEqual({ sealPublicKey: mine.sealPublicKey, signPublicKey: mine.signPublicKey });
  });

  it('refuses a private key that is not two PKCS#8 halves', () => {
    expect(() => publicKeysOf('not-a-key')).toThrow();
    expect(() => publicKeysOf(generateAgentKeys().privateKey.split('.')[0])).toThrow();
  });
});
