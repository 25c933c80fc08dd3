// The console speaks only the public API, with the session cookie; changes carry the session's CSRF token.
let csrfToken = '';
export const SIGNED_OUT = 'hk:signed-out';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? String(status));
    this.status = status;
    this.details = Array.isArray(body?.details) ? body.details : [];
  }

  /** field name -> true, for the fields the API refused */
  fields() {
    return Object.fromEntries(this.details.filter((d) => d && typeof d.field === 'string').map((d) => [d.field.split('.')[0], true]));
  }
}

export function useSession(session) {
  csrfToken = session?.csrfToken ?? '';
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  // A session that ended (idle timeout, sign-out elsewhere) takes the person back to the sign-in page.
  if (res.status === 401 && !path.startsWith('/auth/')) dispatchEvent(new Event(SIGNED_OUT));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
