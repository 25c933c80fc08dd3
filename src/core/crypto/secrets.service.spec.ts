import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/config.js';
import { SecretsService } from './secrets.service.js';

const service = (key = randomBytes(32)) => new SecretsService({ secretsKey: key } as AppConfig);

describe('SecretsService', () => {
  it('round-trips, and never seals the same secret to the same text twice', () => {
    const secrets = service();
    const a = secrets.encrypt('-----BEGIN PRIVATE KEY-----');
    expect(a).not.toContain('PRIVATE');
    expect(a).not.toBe(secrets.encrypt('-----BEGIN PRIVATE KEY-----'));
    expect(secrets.decrypt(a)).toBe('-----BEGIN PRIVATE KEY-----');
  });

  it('says plainly when SECRETS_KEY is not the key a secret was sealed with', () => {
    const sealed = service().encrypt('s');
    expect(() => service().decrypt(sealed)).toThrow(/SECRETS_KEY is not the key it was sealed with/);
  });

  it('refuses tampered ciphertext', () => {
    const secrets = service();
    const [v, iv, tag, body] = secrets.encrypt('secret').split(':');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    expect(() => secrets.decrypt([v, iv, tag, flipped.toString('base64')].join(':'))).toThrow();
  });
});
