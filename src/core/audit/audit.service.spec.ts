import { redact } from './audit.service.js';

describe('redact', () => {
  it('hides secrets by field name and by value, keeps what merely mentions keys', () => {
    const out = redact({
      keyType: 'ecdsa',
      keyCustody: 'member',
      memberKeyFingerprint: 'ABCD',
      memberPrivateKey: 'anything',
      passphrase: 'p',
      token: 't',
      note: '-----BEGIN PRIVATE KEY-----\nMIG...',
      nested: [{ password: 'x', ok: 1 }],
      bearer: 'hk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    }) as Record<string, unknown>;
    expect(out).toMatchObject({ keyType: 'ecdsa', keyCustody: 'member', memberKeyFingerprint: 'ABCD' });
    expect(out.memberPrivateKey).toBe('[redacted]');
    expect(out.passphrase).toBe('[redacted]');
    expect(out.token).toBe('[redacted]');
    expect(out.note).toBe('[redacted]');
    expect(out.bearer).toBe('[redacted]');
    expect(out.nested).toEqual([{ password: '[redacted]', ok: 1 }]);
  });
});
