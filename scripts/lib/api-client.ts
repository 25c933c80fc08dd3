import { Agent as HttpAgent, request as httpRequest } from 'node:http';

export type Http = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/**
 * A benchmark's client for the admin API: keep-alive connections, at most
 * `connections` at once, as a load generator (wrk, autocannon) sends. A
 * storm's requests are all sent at once and queue for a connection. fetch()
 * opened one connection per request (2,000 in a storm): the client itself was
 * then the largest CPU user in the benchmark's process, on an event loop the
 * worker shares with it, and the API paid for every connection set-up.
 */
export function apiClient(port: number, token: string, connections = 64): Http {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: connections });
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent,
          headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
}
