import { briefly, isDependencyUnavailable } from './unavailable.js';

describe('isDependencyUnavailable', () => {
  it('knows the errors of a Postgres that ended its connections (shapes seen from Prisma 7 with adapter-pg)', () => {
    const driver = (code: string) => ({ code: 'P2039', message: 'Invalid `prisma.member.count()` invocation', meta: { driverAdapterError: { cause: { originalCode: code, code } } } });
    expect(isDependencyUnavailable(driver('57P01'))).toBe(true);
    expect(isDependencyUnavailable(driver('08006'))).toBe(true);
    expect(isDependencyUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDependencyUnavailable({ code: 'P1001', message: "Can't reach database server" })).toBe(true);
    expect(isDependencyUnavailable(new Error('outer', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
  });

  it('knows a transaction that found no free connection in time (36 sites created at once on a cold server: seen in the fault suite)', () => {
    const error = { code: 'P2028', message: 'Invalid `prisma.site.create()` invocation:\n\n\nTransaction API error: Unable to start a transaction in the given time.' };
    expect(isDependencyUnavailable(error)).toBe(true);
    expect(isDependencyUnavailable({ code: 'P2028', message: 'Transaction API error: Transaction already closed: A commit cannot be executed on an expired transaction.' })).toBe(false);
  });

  it('leaves real faults alone: a 500 stays a 500', () => {
    expect(isDependencyUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDependencyUnavailable({ code: 'P2002', message: 'Unique constraint failed' })).toBe(false);
    expect(isDependencyUnavailable({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '23505' } } } })).toBe(false);
    expect(isDependencyUnavailable(undefined)).toBe(false);
  });

  it('briefly: the cause, the last line of a Prisma message', () => {
    expect(briefly(new Error('\nInvalid `prisma.host.findUnique()` invocation:\n\n\nCan\'t reach database server at 127.0.0.1:5432'))).toBe("Can't reach database server at 127.0.0.1:5432");
    expect(briefly(new Error(''))).toBe('Error');
    expect(briefly('plain')).toBe('plain');
  });
});
