/**
 * Statements that write many rows at once (a storm's grouped writes) can lock
 * the same rows as another such statement in another order; Postgres then
 * aborts one of them with a deadlock (40P01) or, under SERIALIZABLE, a
 * serialization failure (40001). Each grouped write is one statement, atomic
 * on its own, so it is safe to send again: nothing of the aborted try remains.
 */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 5;

export function isRetryableConflict(error: unknown): boolean {
  const { code, meta, message } = (error ?? {}) as { code?: unknown; meta?: { code?: unknown }; message?: unknown };
  if (typeof code === 'string' && RETRYABLE.has(code)) return true;
  if (typeof meta?.code === 'string' && RETRYABLE.has(meta.code)) return true;
  return typeof message === 'string' && /deadlock detected|could not serialize access/.test(message);
}

export async function retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryableConflict(error)) throw error;
      // a short random pause, so the two statements do not meet again in step
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
