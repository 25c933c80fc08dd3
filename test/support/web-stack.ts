import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AppConfig } from '../../src/config/config.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { NginxInstance, startNginx } from '../../scripts/lib/nginx-instance.js';
import { AriProxy, startAriProxy } from '../../scripts/lib/ari-proxy.js';
import { PebbleHandle, startPebble } from '../../scripts/lib/pebble.js';
import { freePorts } from '../../scripts/lib/ports.js';
import { testConfig } from './test-env.js';

export interface WebStackOptions {
  /** Share of nonces pebble rejects on purpose (default 5, pebble's own). */
  nonceRejectPercent?: number;
  /** Extra settings merged over the stack's own. */
  env?: Record<string, string>;
  /** false: an nginx without its JavaScript module. */
  njs?: boolean;
  /** Lifetime of every certificate pebble issues (e.g. 160 for Let's Encrypt's shortlived). */
  certificateValidityHours?: number;
}

export interface CurlOptions {
  https?: boolean;
  path?: string;
  /** The loopback address the request is sent to (and so comes from). */
  from?: '127.0.0.1' | '::1';
}

export interface CurlResult {
  status: number;
  body: string;
  /** The Location header, if any. */
  location?: string;
}

export interface WebStack {
  config: AppConfig;
  /** The settings behind `config`, for suites that build their own. */
  env: Record<string, string>;
  pebble: PebbleHandle;
  /** The ARI/profiles proxy in front of pebble, which ACME_DIRECTORY_URL points at. */
  ari: AriProxy;
  nginx: NginxInstance;
  /** The roots pebble issues under (a new one on every start of pebble). */
  rootPem: string;
  rootPath: string;
  dataDir: string;
  curl(domain: string, options?: CurlOptions): Promise<CurlResult>;
  /** Starts a stopped pebble again and adds its new root to rootPath (certificates from before and after both verify). */
  restartedPebble(): Promise<void>;
  stop(): Promise<void>;
}

const processes = new ProcessRunner();

/**
 * A real pebble (+ challtestsrv) and a private nginx on free loopback ports,
 * with every NGINX_* / ACME_* / SITE_* setting pointed at them. Site vhosts
 * listen on 127.0.0.1 and [::1] so suites can send requests from either.
 */
export async function startWebStack(options: WebStackOptions = {}): Promise<WebStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hostkeeper-web-'));
  const stateDir = join(dataDir, 'state');
  const [httpPort, httpsPort] = await freePorts(2);
  const nginx = await startNginx({
    dataDir: join(dataDir, 'nginx'),
    httpPort,
    httpsPort,
    sitesDir: join(dataDir, 'nginx.d'),
    challengeDir: join(stateDir, 'acme-challenges'),
    listenAddresses: ['127.0.0.1', '[::1]'],
    njs: options.njs,
  });
  let pebble: PebbleHandle;
  try {
    pebble = await startPebble({
      dataDir: join(dataDir, 'pebble'),
      httpPort,
      nonceRejectPercent: options.nonceRejectPercent,
      certificateValidityHours: options.certificateValidityHours,
    });
  } catch (error) {
    await nginx.stop();
    throw error;
  }
  const ari = await startAriProxy({ upstream: new URL(pebble.directoryUrl).origin, tlsCertPem: pebble.caBundlePem, tlsKeyPem: pebble.tlsKeyPem });
  const rootPem = await pebble.fetchRootPem();
  const rootPath = join(dataDir, 'pebble-root.pem');
  await fs.writeFile(rootPath, rootPem);

  const env: Record<string, string> = {
    ACME_DIRECTORY_URL: ari.directoryUrl,
    ACME_CA_BUNDLE: pebble.caBundlePath,
    ACME_SERVED_TRUST_BUNDLE: rootPath,
    CAA_DNS_SERVER: pebble.dnsAddress,
    NGINX_BIN: nginx.bin,
    NGINX_CONF: nginx.confPath,
    NGINX_SITES_DIR: nginx.sitesDir,
    NGINX_RELOAD_WINDOW_MS: '50',
    ...(nginx.workerUser ? { NGINX_WORKER_USER: nginx.workerUser } : {}),
    SITES_ROOT: join(dataDir, 'www'),
    STATE_DIR: stateDir,
    ACCESS_LOG_DIR: join(dataDir, 'logs'),
    SITE_HTTP_PORT: String(httpPort),
    SITE_HTTPS_PORT: String(httpsPort),
    SITE_LISTEN_ADDRESS: `${nginx.listenAddress},[::1]`,
    // each stack is its own web host (suites share one database)
    HOST_NAME: `web-${basename(dataDir).replace(/[^A-Za-z0-9]/g, '').slice(-12)}`,
    AGENT_HEARTBEAT_MS: '1000',
    HOST_OFFLINE_AFTER_SECONDS: '15',
    HOST_OFFLINE_RETRY_SECONDS: '1',
    ...options.env,
  };

  const stack: WebStack = {
    config: testConfig(env),
    env,
    pebble,
    ari,
    nginx,
    rootPem,
    rootPath,
    dataDir,
    curl: (domain, curlOptions = {}) => curl(domain, curlOptions, { httpPort, httpsPort, rootPath }),
    restartedPebble: async () => {
      await pebble.startCa();
      stack.rootPem = `${stack.rootPem.trimEnd()}\n${(await pebble.fetchRootPem()).trimEnd()}\n`;
      await fs.writeFile(rootPath, stack.rootPem);
    },
    stop: async () => {
      await Promise.allSettled([ari.stop(), pebble.stop(), nginx.stop()]);
      if (!process.env.KEEP_TEST_DIRS) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

const STATUS_MARK = '\n--hk-status--';

async function curl(
  domain: string,
  options: CurlOptions,
  stack: { httpPort: number; httpsPort: number; rootPath: string },
): Promise<CurlResult> {
  const https = options.https ?? false;
  const port = https ? stack.httpsPort : stack.httpPort;
  const address = (options.from ?? '127.0.0.1') === '::1' ? '[::1]' : '127.0.0.1';
  const url = `${https ? 'https' : 'http'}://${domain}:${port}${options.path ?? '/'}`;
  const args = ['-sS', '--max-time', '10', '--resolve', `${domain}:${port}:${address}`, '-w', `${STATUS_MARK}%{http_code} %{redirect_url}`];
  if (https) args.push('--cacert', stack.rootPath);
  const result = await processes.run('curl', [...args, url], { timeoutMs: 15_000 });
  if (result.code !== 0) throw new Error(`curl ${url} via ${address} failed (${result.code}): ${result.stderr.trim()}`);
  const at = result.stdout.lastIndexOf(STATUS_MARK);
  const [status, location] = result.stdout.slice(at + STATUS_MARK.length).split(' ');
  return { status: Number(status), body: result.stdout.slice(0, at), ...(location ? { location } : {}) };
}
