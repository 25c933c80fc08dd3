import * as acme from 'acme-client';
import { HostUnavailableError } from '../operations/operation.errors.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';

export interface AcmeAdapterOptions {
  directoryUrl: string;
  /** PEM the CA's HTTPS endpoint must chain to, replacing the system roots (e.g. pebble's own certificate). */
  caBundlePem?: string;
  contactEmail?: string;
}

export type AcmeKeyType = 'ecdsa' | 'rsa';

export interface IssueRequest {
  accountKeyPem: string;
  accountUrl: string;
  domains: string[];
  keyType: AcmeKeyType;
  /** A profile from the CA's directory (`meta.profiles`); undefined = the CA's default. */
  profile?: string;
  /** RFC 9773 certificate ID of the certificate this order replaces. */
  replaces?: string;
  /** Publish `keyAuthorization` at http://<domain>/.well-known/acme-challenge/<token>. */
  writeChallenge(token: string, keyAuthorization: string): Promise<void>;
  removeChallenge(token: string): Promise<void>;
}

export interface IssuedCertificate {
  /** Leaf first, then the intermediates. */
  certificatePem: string;
  privateKeyPem: string;
  notBefore: Date;
  notAfter: Date;
  /** Upper-case hex, as node:crypto prints it. */
  serial: string;
  ariCertId: string;
  /** false when the CA refused `replaces` and the order went out without it */
  replacesSent: boolean;
}

export interface RenewalWindow {
  start: Date;
  end: Date;
  explanationUrl?: string;
}

export interface RenewalInfo {
  window: RenewalWindow;
  /** When to ask again, from the CA's Retry-After (RFC 9773 section 4.3). */
  retryAfterSeconds?: number;
}

/** An RFC 8555 problem document (section 6.7), as far as we use it. */
interface Problem {
  type?: string;
  detail?: string;
  identifier?: { value?: string };
  subproblems?: Problem[];
}

export class AcmeError extends Error {
  constructor(
    message: string,
    /** Retrying the same request, with nothing changed by a person, will fail again. */
    readonly permanent: boolean,
    /** What the CA or the network said, verbatim (never key material). */
    readonly detail: string,
    /** The ACME problem type, e.g. `urn:ietf:params:acme:error:connection`. */
    readonly type?: string,
    readonly domain?: string,
    /** The CA's Retry-After, when it sent one. */
    readonly retryAt?: Date,
  ) {
    super(message);
  }
}

/**
 * newOrder failed without an order at the CA: no answer of the CA's own
 * (unreachable, or a 5xx without a problem document) or an account it does
 * not know. The CA counts no order, so neither do we.
 */
export class OrderNotCreatedError extends AcmeError {
  constructor(cause: AcmeError) {
    super(cause.message, cause.permanent, cause.detail, cause.type, cause.domain, cause.retryAt);
  }

  /** The CA forgot the account (e.g. a test CA restarted): registering the same key again fixes it. */
  get accountGone(): boolean {
    return shortType(this.type) === 'accountDoesNotExist';
  }
}

const PROBLEM_PREFIX = 'urn:ietf:params:acme:error:';
const NO_NONCE = 'Failed to get nonce from ACME provider';
const RETRIED_IN_PLACE = new Set(['badNonce', 'serverInternal']);
/** newOrder with the fields acme-client 5.4's types predate (RFC 9773 `replaces`, the profiles draft's `profile`). */
type OrderPayload = Parameters<acme.Client['createOrder']>[0] & { profile?: string; replaces?: string };
/** Answers to newOrder that mean "not with `replaces`" rather than "not at all". */
const REPLACES_REFUSALS = new Set(['malformed', 'alreadyReplaced', 'conflict']);
const RETRY_ATTEMPTS = 5;
const RETRY_BASE_MS = 200;
/** The CA unreachable or failing without a problem document: about 30 s in all, as acme-client's own retries were. */
const TRANSPORT_RETRY_BASE_MS = 2_000;
/** Polling of authorizations and orders: about a minute in all. */
const POLLING = { backoffAttempts: 12, backoffMin: 250, backoffMax: 10_000 };

/** Like acme-client's own cache; directories change rarely and only additively. */
const DIRECTORY_MAX_AGE_MS = 24 * 3600_000;
/** Unused nonces kept per CA; the newest are used first, older ones are dropped. */
const NONCE_POOL_SIZE = 256;
/** Shared clients kept per adapter: one account per CA in practice, more only after a key change. */
const CLIENT_CACHE_SIZE = 8;

type Directory = Record<string, unknown>;

interface HttpResponse {
  status: number;
  headers: Record<string, unknown>;
  data: unknown;
}

/** The parts of acme-client's internal HttpClient (`client.http`, untyped) that are shared between orders. */
interface HttpClientInternals {
  /** Signs every request; a PEM here would be parsed again for each signature. */
  accountKey: Buffer | KeyObject;
  getDirectory(): Promise<Directory>;
  getNonce(): Promise<string>;
  request(url: string, method: string, opts?: object): Promise<HttpResponse>;
}

/**
 * acme-client turns problem documents into plain Errors carrying only the
 * detail text; this interceptor remembers the last problem seen inside the
 * current operation, so errors can be classified by their ACME type.
 */
const problems = new AsyncLocalStorage<{ problem?: Problem; retryAt?: Date }>();
/** acme-client has one global axios instance; its requests get each CA's agent by origin. */
const caAgents = new Map<string, Agent>();
let interceptorsInstalled = false;

function installInterceptors(): void {
  if (interceptorsInstalled) return;
  interceptorsInstalled = true;
  // acme-client would sleep out a 429's Retry-After (30 minutes, five times over)
  // inside the job; we record it and stop ordering instead, and retry transient
  // trouble ourselves in step().
  (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;
  acme.axios.interceptors.request.use((config) => {
    const agent = config.url ? caAgents.get(originOf(config.url)) : undefined;
    if (agent) config.httpsAgent = agent;
    return config;
  });
  acme.axios.interceptors.response.use((response) => {
    const store = problems.getStore();
    if (store) {
      store.problem = problemIn(response.status, response.data);
      store.retryAt = store.problem ? retryAfter(response.headers['retry-after']) : undefined;
    }
    return response;
  });
}

/**
 * Keep-alive connections to the CA, with its trust anchors parsed once: a
 * `ca` option on the agent would build a new TLS context per connection.
 */
function caAgent(caBundlePem?: string): Agent {
  return new Agent({ keepAlive: true, ...(caBundlePem ? { secureContext: createSecureContext({ ca: caBundlePem }) } : {}) });
}

/**
 * What every order against one CA can share: the directory (fetched once a
 * day, not once per order) and the Replay-Nonces of earlier responses, which
 * save the HEAD newNonce that acme-client sends before every signed request.
 */
class CaSession {
  private directory?: { fetchedAt: number; value: Promise<Directory> };
  private readonly nonces: string[] = [];

  constructor(private readonly directoryUrl: string) {}

  getDirectory(): Promise<Directory> {
    if (!this.directory || Date.now() - this.directory.fetchedAt > DIRECTORY_MAX_AGE_MS) {
      const value = fetchDirectory(this.directoryUrl);
      const entry = { fetchedAt: Date.now(), value };
      this.directory = entry;
      value.catch(() => {
        if (this.directory === entry) this.directory = undefined;
      });
    }
    return this.directory.value;
  }

  takeNonce(fetchNonce: () => Promise<string>): Promise<string> {
    const kept = this.nonces.pop();
    return kept ? Promise.resolve(kept) : fetchNonce();
  }

  /**
   * Keeps the nonce of a signed request's answer. A badNonce answer's nonce
   * is left alone: acme-client retries with it itself.
   */
  keepNonce(method: string, response: HttpResponse): void {
    const nonce = response.headers['replay-nonce'];
    if (method.toLowerCase() !== 'post' || typeof nonce !== 'string' || nonce === '') return;
    if (shortType(problemIn(response.status, response.data)?.type) === 'badNonce') return;
    this.nonces.push(nonce);
    if (this.nonces.length > NONCE_POOL_SIZE) this.nonces.shift();
  }
}

async function fetchDirectory(directoryUrl: string): Promise<Directory> {
  const response = await acme.axios.get(directoryUrl);
  if (response.status >= 400 || !response.data || typeof response.data !== 'object') {
    throw new Error(`the ACME directory at ${directoryUrl} answered HTTP ${response.status} without a directory`);
  }
  return response.data as Directory;
}

/**
 * Talks to one ACME CA. Keys come in and go out as PEM; none is logged, and
 * only account keys are kept, in memory, by the clients shared between orders.
 */
export class AcmeAdapter {
  private readonly ca: CaSession;
  /** One client per account, shared by concurrent orders; keyed by a hash of the key, never the key itself. */
  private readonly clients = new Map<string, acme.Client>();

  constructor(private readonly options: AcmeAdapterOptions) {
    installInterceptors();
    this.ca = new CaSession(options.directoryUrl);
    caAgents.set(originOf(options.directoryUrl), caAgent(options.caBundlePem));
  }

  async createAccountKey(): Promise<string> {
    return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString('utf8');
  }

  /** Registers the key once; a known accountUrl is reused without asking the CA. */
  async ensureAccount(accountKeyPem: string, accountUrl?: string): Promise<{ accountUrl: string }> {
    if (accountUrl) return { accountUrl };
    return this.operation(async () => {
      const client = this.newClient(accountKeyPem);
      await this.step(() =>
        client.createAccount({
          termsOfServiceAgreed: true,
          contact: this.options.contactEmail ? [`mailto:${this.options.contactEmail}`] : undefined,
        }),
      );
      return { accountUrl: client.getAccountUrl() };
    });
  }

  /** One order for all `domains`, validated over HTTP-01. */
  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const domains = distinctDomains(request.domains);
    return this.operation(async () => {
      const client = this.client(request.accountKeyPem, request.accountUrl);
      const privateKey = await createCertificateKey(request.keyType);
      const [, csr] = await acme.crypto.createCsr({ commonName: domains[0], altNames: domains }, privateKey);
      const { order, replacesSent } = await this.createOrder(client, domains, request).catch((error: unknown) => {
        throw this.notCreated(this.classify(error));
      });
      const authorizations = await this.step(() => client.getAuthorizations(order));
      await this.validateAll(client, authorizations, request);
      const finalized = await this.step(() => client.finalizeOrder(order, csr));
      const certificatePem = await this.step(() => client.getCertificate(finalized));
      return { ...describeCertificate(certificatePem, privateKey.toString('utf8')), replacesSent };
    });
  }

  /**
   * newOrder with `profile` and `replaces` (acme-client passes the payload
   * through). A CA that refuses `replaces` (not supported, or the old
   * certificate already replaced) gets the same order without it.
   */
  private async createOrder(client: acme.Client, domains: string[], request: IssueRequest): Promise<{ order: acme.Order; replacesSent: boolean }> {
    const payload = { identifiers: domains.map((value) => ({ type: 'dns', value })), ...(request.profile ? { profile: request.profile } : {}) };
    if (request.replaces) {
      try {
        return { order: await this.step(() => client.createOrder({ ...payload, replaces: request.replaces } as OrderPayload)), replacesSent: true };
      } catch (error) {
        if (!REPLACES_REFUSALS.has(shortType(this.classify(error).type))) throw error;
      }
    }
    return { order: await this.step(() => client.createOrder(payload as OrderPayload)), replacesSent: false };
  }

  /** The profiles the CA's directory offers (`meta.profiles`, name → description); empty when it offers none. */
  async profiles(): Promise<Record<string, string>> {
    return this.operation(async () => {
      const meta = (await this.step(() => this.ca.getDirectory())).meta as { profiles?: unknown } | undefined;
      const offered = meta?.profiles;
      return offered && typeof offered === 'object' ? (offered as Record<string, string>) : {};
    });
  }

  async revoke(accountKeyPem: string, accountUrl: string, certPem: string): Promise<void> {
    await this.operation(() => {
      const client = this.client(accountKeyPem, accountUrl);
      return this.step(() => client.revokeCertificate(certPem));
    });
  }

  /**
   * The CA's suggested renewal window (ACME Renewal Information, RFC 9773),
   * or undefined when the CA does not offer it. ARI is a plain GET, so no
   * account is involved.
   */
  async renewalInfo(certId: string): Promise<RenewalInfo | undefined> {
    return this.operation(async () => {
      const base = (await this.step(() => this.ca.getDirectory())).renewalInfo;
      if (typeof base !== 'string') return undefined;
      const response = await this.step(() => acme.axios.get(`${base.replace(/\/$/, '')}/${certId}`));
      if (response.status !== 200) throw new Error(`renewalInfo answered HTTP ${response.status}`);
      const seconds = retryAfterSeconds(response.headers['retry-after']);
      return { window: parseRenewalWindow(response.data), ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}) };
    });
  }

  private client(accountKeyPem: string, accountUrl: string): acme.Client {
    const key = `${createHash('sha256').update(accountKeyPem).digest('base64url')} ${accountUrl}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.newClient(accountKeyPem, accountUrl);
      this.clients.set(key, client);
      if (this.clients.size > CLIENT_CACHE_SIZE) this.clients.delete(this.clients.keys().next().value as string);
    }
    return client;
  }

  private newClient(accountKeyPem: string, accountUrl?: string): acme.Client {
    const client = new acme.Client({ directoryUrl: this.options.directoryUrl, accountKey: accountKeyPem, accountUrl, ...POLLING });
    const http = (client as unknown as { http: HttpClientInternals }).http;
    const fetchNonce = http.getNonce.bind(http);
    const request = http.request.bind(http);
    http.accountKey = createPrivateKey(accountKeyPem);
    http.getDirectory = () => this.ca.getDirectory();
    http.getNonce = () => this.ca.takeNonce(fetchNonce);
    http.request = async (url, method, opts) => {
      const response = await request(url, method, opts);
      this.ca.keepNonce(method, response);
      return response;
    };
    return client;
  }

  /** Validates every pending authorization, then always unpublishes what was published. */
  private async validateAll(client: acme.Client, authorizations: acme.Authorization[], request: IssueRequest): Promise<void> {
    const published: string[] = [];
    const outcomes = await Promise.allSettled(
      authorizations.map((authz) => problems.run({}, () => this.validate(client, authz, request, published))),
    );
    await Promise.all(published.map((token) => request.removeChallenge(token).catch(() => undefined)));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async validate(client: acme.Client, authz: acme.Authorization, request: IssueRequest, published: string[]): Promise<void> {
    if (authz.status === 'valid') return;
    const domain = authz.identifier.value;
    const challenge = authz.challenges.find((candidate) => candidate.type === 'http-01');
    if (!challenge) {
      throw new AcmeError(`the CA offers no HTTP-01 validation for ${domain}`, true, 'no http-01 challenge', undefined, domain);
    }
    try {
      const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
      await request.writeChallenge(challenge.token, keyAuthorization);
      published.push(challenge.token);
      await this.step(() => client.completeChallenge(challenge));
      await client.waitForValidStatus(authz);
    } catch (error) {
      throw this.classify(error, domain);
    }
  }

  private notCreated(error: AcmeError): AcmeError {
    const noAnswer = error.type === undefined && !error.permanent;
    return noAnswer || shortType(error.type) === 'accountDoesNotExist' ? new OrderNotCreatedError(error) : error;
  }

  private async operation<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await problems.run({}, work);
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** Retries what the CA asks clients to retry (RFC 8555 6.5) beyond acme-client's own attempts. */
  private async step<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        const classified = this.classify(error);
        if (attempt >= RETRY_ATTEMPTS || !retriedInPlace(classified)) throw classified;
        const base = classified.type === undefined ? TRANSPORT_RETRY_BASE_MS : RETRY_BASE_MS;
        await new Promise((done) => setTimeout(done, base * 2 ** (attempt - 1)));
      }
    }
  }

  private classify(error: unknown, domain?: string): AcmeError {
    if (error instanceof AcmeError) return error;
    // the site's host being offline is not the CA's doing: the caller waits for the host
    if (error instanceof HostUnavailableError) throw error;
    const store = problems.getStore();
    if (store?.problem?.type) return fromProblem(store.problem, domain, store.retryAt);
    const transport = error as { isAxiosError?: boolean; response?: unknown; code?: string } | null;
    if (transport?.isAxiosError && !transport.response) {
      return fromNetworkError(transport.code ?? 'no response', this.options.directoryUrl);
    }
    const detail = redact(error instanceof Error ? error.message : String(error));
    // acme-client's own words when HEAD newNonce got no answer: the network error behind it is gone
    if (detail === NO_NONCE) return fromNetworkError('no nonce', this.options.directoryUrl);
    return new AcmeError(`the ACME request failed: ${detail}`, false, detail, undefined, domain);
  }
}

function fromProblem(problem: Problem, domain?: string, retryAt?: Date): AcmeError {
  const first = problem.subproblems?.[0];
  const name = domain ?? problem.identifier?.value ?? first?.identifier?.value;
  const type = first?.type ?? problem.type;
  const detail = redact(problem.detail ?? first?.detail ?? '');
  const { text, permanent } = explain(shortType(type), name ?? 'the domain');
  return new AcmeError(`${text} (CA said: ${detail})`, permanent, detail, type, name, retryAt);
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3). */
function retryAfterSeconds(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : undefined;
}

function retryAfter(header: unknown): Date | undefined {
  const seconds = retryAfterSeconds(header);
  return seconds === undefined ? undefined : new Date(Date.now() + seconds * 1000);
}

function explain(type: string, domain: string): { text: string; permanent: boolean } {
  switch (type) {
    case 'connection':
      return { permanent: true, text: `the CA could not reach ${domain} over HTTP: the domain does not resolve to this server or port 80 is closed` };
    case 'dns':
      return { permanent: true, text: `the CA could not look up ${domain} in DNS: its A/AAAA records must exist and point to this server` };
    case 'unauthorized':
    case 'incorrectResponse':
      return {
        permanent: true,
        text: `the CA reached ${domain} but not the expected validation file: the domain may point to another server, or a proxy or CDN in front of this one answers /.well-known/acme-challenge/ itself`,
      };
    case 'tls':
      return { permanent: true, text: `the CA reached ${domain}, but a TLS connection during validation failed` };
    case 'caa':
      return { permanent: true, text: `a CAA record of ${domain} does not allow this CA to issue certificates for it` };
    case 'rejectedIdentifier':
    case 'unsupportedIdentifier':
      return { permanent: true, text: `the CA will not issue certificates for ${domain}` };
    case 'rateLimited':
      return { permanent: false, text: 'the CA rate limit was reached; try again later' };
    case 'badNonce':
      return { permanent: false, text: 'the CA kept rejecting the anti-replay nonces of our requests' };
    case 'serverInternal':
      return { permanent: false, text: 'the CA had an internal error' };
    case 'accountDoesNotExist':
      return { permanent: true, text: 'the CA does not know this ACME account; it must be registered again' };
    default:
      return { permanent: true, text: `the CA refused the request (${type || 'no problem type'})` };
  }
}

function fromNetworkError(code: string, directoryUrl: string): AcmeError {
  const origin = originOf(directoryUrl);
  if (/^(ERR_TLS_|CERT_|UNABLE_|DEPTH_|SELF_SIGNED|ERR_SSL_)/.test(code)) {
    return new AcmeError(`the CA at ${origin} presented a certificate we do not trust (${code}); check ACME_CA_BUNDLE`, true, code);
  }
  return new AcmeError(`could not reach the CA at ${origin} (${code})`, false, code);
}

function problemIn(status: number, body: unknown): Problem | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const data = body as Problem & { status?: string; error?: Problem; challenges?: Array<{ error?: Problem }> };
  if (status >= 400 && typeof data.type === 'string') return data;
  if (data.status !== 'invalid') return undefined;
  return data.error ?? data.challenges?.find((challenge) => challenge.error)?.error;
}

/** What the CA asks clients to retry, and transport trouble without a problem document (network, HTTP 5xx). */
function retriedInPlace(error: AcmeError): boolean {
  return RETRIED_IN_PLACE.has(shortType(error.type)) || (error.type === undefined && !error.permanent);
}

function shortType(type: string | undefined): string {
  return type?.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : (type ?? '');
}

/** Belt and braces: no error text may ever carry a private key. */
function redact(text: string): string {
  return text.replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key removed]');
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function distinctDomains(domains: string[]): string[] {
  const unique = [...new Set(domains.map((domain) => domain.toLowerCase()))];
  if (unique.length === 0) throw new AcmeError('a certificate needs at least one domain', true, 'no domains');
  return unique;
}

function createCertificateKey(keyType: AcmeKeyType): Promise<Buffer> {
  return keyType === 'rsa' ? acme.crypto.createPrivateRsaKey(2048) : acme.crypto.createPrivateEcdsaKey('P-256');
}

function describeCertificate(certificatePem: string, privateKeyPem: string): Omit<IssuedCertificate, 'replacesSent'> {
  const leaf = new X509Certificate(certificatePem);
  return {
    certificatePem,
    privateKeyPem,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    serial: leaf.serialNumber,
    ariCertId: ariCertId(certificatePem),
  };
}

function parseRenewalWindow(body: unknown): RenewalWindow {
  const data = body as { suggestedWindow?: { start?: string; end?: string }; explanationURL?: string };
  const start = new Date(data.suggestedWindow?.start ?? '');
  const end = new Date(data.suggestedWindow?.end ?? '');
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new Error('renewalInfo has no valid suggestedWindow');
  return { start, end, explanationUrl: data.explanationURL };
}

/**
 * RFC 9773 section 4.1: base64url(AKI keyIdentifier) "." base64url(serial
 * number DER content octets). node:crypto exposes neither as bytes, so both
 * are read from the certificate's DER.
 */
export function ariCertId(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  const tbs = children(der, readTlv(der, 0))[0];
  const fields = children(der, tbs);
  const serial = fields[fields[0].tag === 0xa0 ? 1 : 0];
  const keyId = authorityKeyId(der, fields);
  if (!keyId) throw new Error('the certificate has no authority key identifier');
  return `${keyId.toString('base64url')}.${der.subarray(serial.start, serial.end).toString('base64url')}`;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

const AKI_OID = Buffer.from([0x55, 0x1d, 0x23]);

function authorityKeyId(der: Buffer, tbsFields: Tlv[]): Buffer | undefined {
  const wrapper = tbsFields.find(({ tag }) => tag === 0xa3);
  if (!wrapper) return undefined;
  for (const extension of children(der, children(der, wrapper)[0])) {
    const parts = children(der, extension);
    if (!der.subarray(parts[0].start, parts[0].end).equals(AKI_OID)) continue;
    const value = parts[parts.length - 1];
    const keyId = children(der, readTlv(der, value.start)).find(({ tag }) => tag === 0x80);
    return keyId && der.subarray(keyId.start, keyId.end);
  }
  return undefined;
}

function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + der[start + i];
    start += bytes;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const found: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset);
    found.push(child);
    offset = child.end;
  }
  return found;
}
