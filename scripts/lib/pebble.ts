import { IncomingMessage, request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { Daemon, startDaemon, waitUntil } from './daemon.js';
import { freePorts } from './ports.js';

export interface PebbleOptions {
  /** An empty folder the harness may fill (certificates, config, logs). */
  dataDir: string;
  /** The port pebble sends HTTP-01 validation requests to: the managed nginx's HTTP port. */
  httpPort: number;
  /** The port pebble would use for TLS-ALPN-01; unused by hostkeeper. */
  tlsPort?: number;
  /** Share of valid nonces pebble rejects on purpose, 0-100. Default 5 (pebble's own default). */
  nonceRejectPercent?: number;
  /** Share of authorizations pebble reuses across orders, 0-100. Default: pebble's own (50). */
  authzReusePercent?: number;
  /** Lifetime of every certificate this pebble issues (its certificateValidityPeriod). Default: pebble's own. */
  certificateValidityHours?: number;
  pebbleBin?: string;
  challtestsrvBin?: string;
}

export interface PebbleHandle {
  directoryUrl: string;
  /** PEM of the certificate pebble's own HTTPS listeners present: pass it as ACME_CA_BUNDLE. */
  caBundlePath: string;
  caBundlePem: string;
  /** The key of pebble's own TLS certificate (for a proxy in front of it that presents the same certificate). */
  tlsKeyPem: string;
  /** The fake DNS server pebble resolves domains with. */
  dnsAddress: string;
  /** The root that certificates issued by pebble chain to (it changes on every pebble start). */
  fetchRootPem(): Promise<string>;
  /** Points a name at another (loopback) address in the fake DNS, e.g. one where nothing listens. */
  setARecord(host: string, addresses: string[]): Promise<void>;
  /** Publishes CAA records for a name in the fake DNS (RFC 8659 tag/value pairs). */
  setCaa(host: string, policies: Array<{ tag: string; value: string }>): Promise<void>;
  /** Forgets the name's A records (challtestsrv's add-a appends), so it resolves to the default address again. */
  clearARecord(host: string): Promise<void>;
  /** Stops pebble itself (the CA is down; its DNS stays up). */
  stopCa(): Promise<void>;
  /** Starts pebble again on the same ports; like any pebble start it forgets accounts and orders and has a new root. */
  startCa(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPebble(options: PebbleOptions): Promise<PebbleHandle> {
  await fs.mkdir(options.dataDir, { recursive: true });
  const [acmePort, managementPort, dnsPort, dnsManagementPort] = await freePorts(4);
  const tls = await writeSelfSignedCert(options.dataDir);
  const configPath = await writeConfig(options, tls, acmePort, managementPort);
  const dnsAddress = `127.0.0.1:${dnsPort}`;

  const challtestsrv = startChalltestsrv(options, dnsAddress, dnsManagementPort);
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const startCa = () =>
    startDaemon('pebble', options.pebbleBin ?? 'pebble', ['-config', configPath, '-dnsserver', dnsAddress], {
      logPath: join(options.dataDir, 'pebble.log'),
      env: pebbleEnv(options),
    });
  const directoryAnswers = (daemon: Daemon) =>
    waitUntil(daemon, 'its directory answers', async () => (await httpsGet(directoryUrl, tls.certPem)).status === 200);
  let pebble = startCa();
  const stop = async () => {
    await Promise.all([pebble, challtestsrv].map((daemon) => daemon.stop()));
  };

  try {
    await waitUntil(challtestsrv, 'its management API answers', () =>
      httpRequest(`http://127.0.0.1:${dnsManagementPort}/`, 'GET').then(() => true),
    );
    await directoryAnswers(pebble);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    directoryUrl,
    caBundlePath: tls.certPath,
    caBundlePem: tls.certPem,
    tlsKeyPem: await fs.readFile(tls.keyPath, 'utf8'),
    dnsAddress,
    fetchRootPem: () => fetchRoot(`https://127.0.0.1:${managementPort}/roots/0`, tls.certPem),
    setARecord: (host, addresses) => manageDns(dnsManagementPort, '/add-a', { host, addresses }),
    clearARecord: (host) => manageDns(dnsManagementPort, '/clear-a', { host }),
    setCaa: (host, policies) => manageDns(dnsManagementPort, '/add-caa', { host, policies }),
    stopCa: () => pebble.stop(),
    startCa: async () => {
      if (pebble.running) return;
      pebble = startCa();
      await directoryAnswers(pebble);
    },
    stop,
  };
}

interface TlsFiles {
  certPath: string;
  keyPath: string;
  certPem: string;
}

async function writeSelfSignedCert(dataDir: string): Promise<TlsFiles> {
  const certPath = join(dataDir, 'pebble-tls.pem');
  const keyPath = join(dataDir, 'pebble-tls.key');
  await new ProcessRunner().runChecked('openssl', [
    'req', '-x509', '-nodes', '-days', '30',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyPath, '-out', certPath,
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
  ]);
  return { certPath, keyPath, certPem: await fs.readFile(certPath, 'utf8') };
}

async function writeConfig(options: PebbleOptions, tls: TlsFiles, acmePort: number, managementPort: number): Promise<string> {
  const configPath = join(options.dataDir, 'pebble-config.json');
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: tls.certPath,
      privateKey: tls.keyPath,
      httpPort: options.httpPort,
      tlsPort: options.tlsPort ?? 5001,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(options.certificateValidityHours ? { certificateValidityPeriod: options.certificateValidityHours * 3600 } : {}),
    },
  };
  await fs.writeFile(configPath, JSON.stringify(config, null, 2));
  return configPath;
}

function pebbleEnv(options: PebbleOptions): Record<string, string> {
  const env: Record<string, string> = {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: String(options.nonceRejectPercent ?? 5),
  };
  // pebble 2.4 can deadlock under load while reusing authorizations (a lock-order
  // inversion in its in-memory store), so every order validates unless asked otherwise.
  env.PEBBLE_AUTHZREUSE = String(options.authzReusePercent ?? 0);
  return env;
}

function startChalltestsrv(options: PebbleOptions, dnsAddress: string, managementPort: number): Daemon {
  // Every name resolves to 127.0.0.1 only; without -defaultIPv6 "" pebble would validate over [::1].
  const args = [
    '-dns01', dnsAddress,
    '-management', `127.0.0.1:${managementPort}`,
    '-defaultIPv4', '127.0.0.1',
    '-defaultIPv6', '',
    '-http01', '',
    '-https01', '',
    '-tlsalpn01', '',
  ];
  return startDaemon('pebble-challtestsrv', options.challtestsrvBin ?? 'pebble-challtestsrv', args, {
    logPath: join(options.dataDir, 'challtestsrv.log'),
  });
}

async function fetchRoot(url: string, ca: string): Promise<string> {
  const response = await httpsGet(url, ca);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return response.body;
}

/** One call to challtestsrv's management API (its DNS answers). */
async function manageDns(managementPort: number, path: '/add-a' | '/clear-a' | '/add-caa', body: object): Promise<void> {
  const response = await httpRequest(`http://127.0.0.1:${managementPort}${path}`, 'POST', JSON.stringify(body));
  if (response.status !== 200) throw new Error(`challtestsrv ${path} answered ${response.status}: ${response.body}`);
}

interface SimpleResponse {
  status: number;
  body: string;
}

function httpsGet(url: string, ca: string): Promise<SimpleResponse> {
  return httpRequest(url, 'GET', undefined, ca);
}

function httpRequest(url: string, method: string, body?: string, ca?: string): Promise<SimpleResponse> {
  const send = url.startsWith('https:') ? tlsRequest : plainRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, ca, timeout: 5_000 }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
