/**
 * Errors that say Postgres (or Redis) cannot be reached right now, rather than
 * that the request or the code is wrong: a restarted database server ends
 * every connection (SQLSTATE class 57P, "admin shutdown"), and the pool hands
 * out a dead connection once before it notices; a pool that has no connection
 * free in time (a burst on a cold server) is the same to the caller. Such a
 * request is answered 503 with Retry-After, never 500: asked again a moment
 * later, it works.
 */
const POSTGRES_GONE = /^(57P0[123]|08\d{3}|53300)$/;
const PRISMA_GONE = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
const MESSAGES = [
  /Client has encountered a connection error and is not queryable/,
  /Connection terminated( unexpectedly)?/,
  /terminating connection due to administrator command/,
  /Can't reach database server/,
  /Connection is closed\.?$/,
  // Prisma's P2028 for a transaction that found no connection within its maxWait (other P2028s are real faults)
  /Unable to start a transaction in the given time/,
  /ECONNREFUSED|ECONNRESET/,
];

export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } }; cause?: unknown };
  if (typeof candidate.code === 'string' && (PRISMA_GONE.has(candidate.code) || POSTGRES_GONE.test(candidate.code))) return true;
  const driver = candidate.meta?.driverAdapterError?.cause;
  for (const code of [driver?.originalCode, driver?.code]) if (typeof code === 'string' && POSTGRES_GONE.test(code)) return true;
  if (typeof candidate.message === 'string' && MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
  return isDependencyUnavailable(candidate.cause, depth + 1);
}

/** An error in one line for a log: Prisma's messages open with the invocation and end with the cause. */
export function briefly(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n').filter((line) => line.trim()).at(-1) ?? error.name) : String(error);
}
