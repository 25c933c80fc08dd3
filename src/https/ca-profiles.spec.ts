import type { AcmeAdapter } from '../core/adapters/acme.adapter.js';
import { AppException } from '../core/errors/app.exception.js';
import { CaProfiles, DIRECTORY_WAIT_MS } from './ca-profiles.service.js';

const adapter = (profiles: () => Promise<Record<string, string>>) => new CaProfiles({ profiles } as unknown as AcmeAdapter);

describe('CaProfiles', () => {
  it('refuses a profile the directory does not offer, naming those it does', async () => {
    const refusal = await adapter(async () => ({ classic: '', shortlived: '' })).assertOffered('forever').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppException);
    expect((refusal as AppException).details).toEqual({ profile: 'must be one of: classic, shortlived' });
  });

  it('accepts an offered profile', async () => {
    await expect(adapter(async () => ({ classic: '' })).assertOffered('classic')).resolves.toBeUndefined();
  });

  it('never holds a request longer than the wait when the CA does not answer (the CA checks the profile at order time)', async () => {
    const started = Date.now();
    await expect(adapter(() => new Promise(() => undefined)).assertOffered('classic')).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(DIRECTORY_WAIT_MS + 1_000);
  });

  it('accepts the profile unchecked when the directory cannot be read, instead of answering 5xx', async () => {
    await expect(adapter(() => Promise.reject(new Error('ECONNREFUSED'))).assertOffered('classic')).resolves.toBeUndefined();
  });
});
