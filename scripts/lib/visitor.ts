import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';

export interface VisitOptions {
  port: number;
  path?: string;
  /** The loopback address the request comes from (127.0.0.0/8 all reach 127.0.0.1). */
  from?: string;
  cookie?: string;
  headers?: Record<string, string>;
  /** PEM to trust: the request is sent over TLS with the host as SNI. */
  ca?: string;
  /** Keep-alive connections (plain HTTP only); default a fresh connection per request. */
  agent?: Agent;
}

export interface Visit {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request to the site's nginx on 127.0.0.1, as a visitor from `from`, on a fresh connection. */
export function visit(host: string, options: VisitOptions): Promise<Visit> {
  const headers = { Host: host, ...(options.cookie ? { Cookie: options.cookie } : {}), ...options.headers };
  const common = { host: '127.0.0.1', port: options.port, path: options.path ?? '/', headers, localAddress: options.from ?? '127.0.0.1', timeout: 10_000 };
  return new Promise((resolve, reject) => {
    const req = options.ca
      ? httpsRequest({ ...common, agent: false, servername: host, ca: options.ca }, answer)
      : httpRequest({ ...common, agent: options.agent ?? false }, answer);
    function answer(res: import('node:http').IncomingMessage) {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    }
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** What a browser running the challenge page does: fetch a task, solve it, ask for the pass. */
export async function earnPass(host: string, options: VisitOptions): Promise<string> {
  const task = JSON.parse((await visit(host, { ...options, path: '/.well-known/hostkeeper-pass' })).body) as { challenge: string; bits: number };
  const nonce = solve(task.challenge, task.bits);
  const answer = await visit(host, { ...options, path: `/.well-known/hostkeeper-pass?c=${encodeURIComponent(task.challenge)}&n=${nonce}` });
  if (answer.status !== 204) throw new Error(`the verifier answered ${answer.status}`);
  const cookie = ([] as string[]).concat(answer.headers['set-cookie'] ?? [])[0] ?? '';
  return cookie.split(';')[0];
}

export function solve(challenge: string, bits: number): number {
  for (let nonce = 0; ; nonce += 1) {
    if (leadingZeroBits(createHash('sha256').update(`${challenge}.${nonce}`).digest()) >= bits) return nonce;
  }
}

function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Resolves with how the server ended a TLS handshake for `servername` (none = no SNI at all). */
export function tlsHandshake(port: number, servername?: string): Promise<'established' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), rejectUnauthorized: false }, () => {
      socket.destroy();
      resolve('established');
    });
    socket.on('error', () => resolve('refused'));
  });
}
