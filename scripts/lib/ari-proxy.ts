import { X509Certificate } from 'node:crypto';
import { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ariCertId } from '../../src/core/adapters/acme.adapter.js';

/**
 * What Debian's pebble 2.4 lacks and Let's Encrypt has: ACME Renewal
 * Information (RFC 9773) and profiles. A thin HTTPS proxy in front of pebble
 * that serves pebble's own paths on its own port. It forwards the Host header
 * unchanged, so pebble writes the proxy's address into every URL it returns
 * and checks each JWS `url` against that same address: signatures stay valid
 * without rewriting anything. The proxy adds `renewalInfo` and `meta.profiles`
 * to the directory, answers renewalInfo itself, and reads (never changes) the
 * payload of newOrder to record `profile` and `replaces`. pebble 2.4 ignores
 * those two fields; certificate lifetime stays pebble's
 * (`certificateValidityPeriod`, one per pebble).
 */
export interface AriProxyOptions {
  /** pebble's ACME listener, e.g. https://127.0.0.1:14000 */
  upstream: string;
  /** pebble's own TLS certificate and key: the proxy presents the same, so ACME_CA_BUNDLE is unchanged. */
  tlsCertPem: string;
  tlsKeyPem: string;
  profiles?: Record<string, string>;
}

export interface RenewalAnswer {
  start: Date;
  end: Date;
  explanationURL?: string;
  /** seconds; default: AriProxy.retryAfterSeconds */
  retryAfterSeconds?: number;
}

export interface RecordedOrder {
  identifiers: string[];
  profile?: string;
  replaces?: string;
  /** refused by the proxy (replaces refused, or an unknown profile) */
  refused?: string;
}

export interface AriProxy {
  directoryUrl: string;
  readonly orders: RecordedOrder[];
  /** Certificates seen downloaded, by RFC 9773 certificate ID. */
  readonly certificates: Map<string, { notBefore: Date; notAfter: Date; serial: string }>;
  /** The CA's answer for one certificate; without one, a window like Let's Encrypt's for its lifetime. */
  setWindow(certId: string, answer: RenewalAnswer): void;
  /** Answer every certificate's renewalInfo with this (a CA-wide drill). */
  setWindowForAll(answer: RenewalAnswer | undefined): void;
  retryAfterSeconds: number;
  /** Refuse newOrder requests that carry `replaces`, as a CA that does not support it might. */
  refuseReplaces: boolean;
  /** Leave renewalInfo out of the directory, as a CA without ARI would. */
  offerAri: boolean;
  /** Answer every newOrder with rateLimited and this Retry-After (seconds), as an overloaded CA does. */
  rateLimitOrders?: number;
  renewalInfoRequests: number;
  stop(): Promise<void>;
}

export const DEFAULT_PROFILES: Record<string, string> = {
  classic: 'the certificate profile of old, 90 days',
  tlsserver: 'serverAuth only, 45 days',
  shortlived: '160 hours (this test world: the lifetime pebble is configured with)',
};

const RENEWAL_PATH = '/renewal-info/';

export async function startAriProxy(options: AriProxyOptions): Promise<AriProxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, ca: options.tlsCertPem });
  const windows = new Map<string, RenewalAnswer>();
  let everyone: RenewalAnswer | undefined;
  const profiles = options.profiles ?? DEFAULT_PROFILES;

  const proxy: AriProxy = {
    directoryUrl: '',
    orders: [],
    certificates: new Map(),
    setWindow: (certId, answer) => windows.set(certId, answer),
    setWindowForAll: (answer) => {
      everyone = answer;
    },
    retryAfterSeconds: 21_600,
    refuseReplaces: false,
    offerAri: true,
    renewalInfoRequests: 0,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      agent.destroy();
    }),
  };

  const server: Server = createServer({ cert: options.tlsCertPem, key: options.tlsKeyPem }, (req, res) => {
    void handle(req, res).catch((error: Error) => {
      if (!res.headersSent) problem(res, 500, 'serverInternal', `proxy: ${error.message}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path.startsWith(RENEWAL_PATH)) return answerRenewalInfo(path.slice(RENEWAL_PATH.length), res);
    const body = await readBody(req);
    if (req.method === 'POST' && path === '/order-plz') {
      if (proxy.rateLimitOrders !== undefined) return problem(res, 429, 'rateLimited', 'too many new orders', { 'retry-after': String(proxy.rateLimitOrders) });
      const refusal = recordOrder(body);
      if (refusal) return problem(res, 400, refusal.type, refusal.detail);
    }
    const answer = await forward(req, body);
    const type = String(answer.headers['content-type'] ?? '');
    let out = answer.body;
    if (path === '/dir' && answer.status === 200) out = Buffer.from(JSON.stringify(extendDirectory(JSON.parse(out.toString('utf8')), req)));
    if (type.startsWith('application/pem-certificate-chain') && answer.status === 200) noteCertificate(out.toString('utf8'));
    const headers = { ...answer.headers, 'content-length': String(out.length) };
    delete headers['transfer-encoding'];
    res.writeHead(answer.status, headers);
    res.end(out);
  }

  function extendDirectory(directory: Record<string, unknown>, req: IncomingMessage): Record<string, unknown> {
    const meta = { ...((directory.meta as object | undefined) ?? {}), profiles };
    const extended: Record<string, unknown> = { ...directory, meta };
    if (proxy.offerAri) extended.renewalInfo = `https://${req.headers.host}${RENEWAL_PATH}`;
    return extended;
  }

  function recordOrder(body: Buffer): { type: string; detail: string } | undefined {
    const payload = jwsPayload(body) as { identifiers?: Array<{ value?: string }>; profile?: string; replaces?: string } | undefined;
    if (!payload) return undefined;
    const order: RecordedOrder = {
      identifiers: (payload.identifiers ?? []).map((identifier) => String(identifier.value)),
      ...(payload.profile !== undefined ? { profile: payload.profile } : {}),
      ...(payload.replaces !== undefined ? { replaces: payload.replaces } : {}),
    };
    proxy.orders.push(order);
    if (order.replaces !== undefined && proxy.refuseReplaces) {
      order.refused = 'replaces';
      return { type: 'malformed', detail: 'this CA does not accept the replaces field' };
    }
    if (order.profile !== undefined && !(order.profile in profiles)) {
      order.refused = 'profile';
      return { type: 'invalidProfile', detail: `profile "${order.profile}" is not offered` };
    }
    return undefined;
  }

  function noteCertificate(chainPem: string): void {
    const leafPem = chainPem.slice(0, chainPem.indexOf('-----END CERTIFICATE-----') + 25);
    const leaf = new X509Certificate(leafPem);
    proxy.certificates.set(ariCertId(leafPem), { notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo), serial: leaf.serialNumber });
  }

  function answerRenewalInfo(certId: string, res: ServerResponse): void {
    proxy.renewalInfoRequests += 1;
    const known = proxy.certificates.get(certId);
    const answer = windows.get(certId) ?? everyone ?? (known && lifetimeWindow(known.notBefore, known.notAfter));
    if (!proxy.offerAri || !answer) return problem(res, 404, 'malformed', 'no such certificate');
    const body = JSON.stringify({
      suggestedWindow: { start: answer.start.toISOString(), end: answer.end.toISOString() },
      ...(answer.explanationURL ? { explanationURL: answer.explanationURL } : {}),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'retry-after': String(answer.retryAfterSeconds ?? proxy.retryAfterSeconds) });
    res.end(body);
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = request(
        { protocol: 'https:', hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.directoryUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/dir`;
  return proxy;
}

/** Let's Encrypt-like: two thirds into the lifetime (half for short-lived certificates), a few days wide. */
export function lifetimeWindow(notBefore: Date, notAfter: Date): RenewalAnswer {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const short = lifetime <= 10 * 86_400_000;
  const start = notBefore.getTime() + (short ? lifetime / 2 : (lifetime * 2) / 3);
  return { start: new Date(start), end: new Date(start + (short ? lifetime / 8 : lifetime / 15)) };
}

function jwsPayload(body: Buffer): unknown {
  try {
    const jws = JSON.parse(body.toString('utf8')) as { payload?: string };
    return jws.payload ? JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function problem(res: ServerResponse, status: number, type: string, detail: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status }));
}
