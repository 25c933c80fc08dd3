import { isRetryableConflict, retryingConflicts } from './deadlocks.js';

describe('retryingConflicts', () => {
  const deadlock = Object.assign(new Error('Raw query failed. Code: `40P01`. Message: `deadlock detected`'), { code: 'P2010', meta: { code: '40P01' } });

  it('sends a grouped write again when Postgres aborted it for a deadlock', async () => {
    let calls = 0;
    const result = await retryingConflicts(async () => {
      calls += 1;
      if (calls < 3) throw deadlock;
      return 'written';
    });
    expect(result).toBe('written');
    expect(calls).toBe(3);
  });

  it('gives up after five tries and passes the error on', async () => {
    let calls = 0;
    await expect(
      retryingConflicts(async () => {
        calls += 1;
        throw deadlock;
      }),
    ).rejects.toBe(deadlock);
    expect(calls).toBe(5);
  });

  it('never repeats a write that failed for another reason', async () => {
    let calls = 0;
    const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: 'P2002' });
    await expect(
      retryingConflicts(async () => {
        calls += 1;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(calls).toBe(1);
  });

  it('knows a conflict by its SQLSTATE or by the message Prisma passes on', () => {
    expect(isRetryableConflict({ code: '40001' })).toBe(true);
    expect(isRetryableConflict({ meta: { code: '40P01' } })).toBe(true);
    expect(isRetryableConflict(new Error('ERROR: deadlock detected'))).toBe(true);
    expect(isRetryableConflict(new Error('connection refused'))).toBe(false);
    expect(isRetryableConflict(undefined)).toBe(false);
  });
});
