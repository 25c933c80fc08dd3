import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { AgentService } from '../src/agent/agent.service.js';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { SignInLinksService } from '../src/auth-session/sign-in-links.service.js';
import { TokenService } from '../src/core/auth/token.service.js';
import { PrismaService } from '../src/core/database/prisma.service.js';
import { migrate } from '../src/core/database/migrator.js';
import { freshDatabase } from './lib/bench-db.js';
import { WebServerService } from '../src/web/web-server.service.js';
import { startNginx } from './lib/nginx-instance.js';
import { startAriProxy } from './lib/ari-proxy.js';
import { startPebble } from './lib/pebble.js';

/**
 * `npm run sandbox`: the whole service against a TEST CA (pebble) and a
 * private nginx on high loopback ports, all state under one data folder.
 * Postgres and Redis are the local ones; pebble forgets everything on exit.
 */
const DATA_DIR = resolve(process.env.SANDBOX_DIR || '.sandbox');
/** Each data folder has its own database and its own Redis key prefix, so two sandboxes on one machine never touch each other's. */
const SANDBOX_ID = sandboxId(DATA_DIR);
const DATABASE_URL = process.env.DATABASE_URL || `postgresql://postgres@127.0.0.1:5432/hostkeeper_sandbox_${SANDBOX_ID}`;
const REDIS_PREFIX = process.env.REDIS_PREFIX || `hostkeeper-sandbox-${SANDBOX_ID}`;
const STAFF_EMAIL = 'staff@sandbox.test';
const PORT = process.env.PORT || '3000';
const HTTP_PORT = Number(process.env.SANDBOX_HTTP_PORT || 18080);
const HTTPS_PORT = Number(process.env.SANDBOX_HTTPS_PORT || 18443);
const DEMO_DOMAIN = 'demo.sandbox.test';

async function main(): Promise<void> {
  await fs.mkdir(DATA_DIR, { recursive: true });
  const { key: secretsKey, created } = await keepSecretsKey();
  const stateDir = join(DATA_DIR, 'state');

  // The database belongs to this data folder: what a new SECRETS_KEY cannot decrypt must not be kept.
  if (created) await freshDatabase(DATABASE_URL);
  else await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);

  const nginx = await startNginx({
    dataDir: join(DATA_DIR, 'nginx'),
    httpPort: HTTP_PORT,
    httpsPort: HTTPS_PORT,
    sitesDir: join(DATA_DIR, 'nginx.d'),
    challengeDir: join(stateDir, 'acme-challenges'),
  });
  const pebble = await startPebble({ dataDir: join(DATA_DIR, 'pebble'), httpPort: HTTP_PORT }).catch(async (error: unknown) => {
    await nginx.stop();
    throw error;
  });
  const rootPath = join(DATA_DIR, 'pebble-root.pem');
  await fs.writeFile(rootPath, await pebble.fetchRootPem());
  // ARI and profiles, which Debian's pebble lacks (see README, "Certificates the way Let's Encrypt runs now")
  const ari = await startAriProxy({ upstream: new URL(pebble.directoryUrl).origin, tlsCertPem: pebble.caBundlePem, tlsKeyPem: pebble.tlsKeyPem });

  const config = loadConfig({
    ...process.env,
    ROLE: 'all',
    HOST_NAME: process.env.HOST_NAME || 'sandbox',
    PORT,
    DATABASE_URL,
    REDIS_PREFIX,
    PUBLIC_URL: process.env.PUBLIC_URL || `http://localhost:${PORT}`,
    STAFF_EMAILS: [process.env.STAFF_EMAILS, STAFF_EMAIL].filter(Boolean).join(','),
    SECRETS_KEY: secretsKey,
    ACME_DIRECTORY_URL: ari.directoryUrl,
    ACME_CA_BUNDLE: pebble.caBundlePath,
    ACME_SERVED_TRUST_BUNDLE: rootPath,
    CAA_DNS_SERVER: pebble.dnsAddress,
    NGINX_BIN: nginx.bin,
    NGINX_CONF: nginx.confPath,
    NGINX_SITES_DIR: nginx.sitesDir,
    // the sandbox's nginx runs its workers unprivileged, as Debian's does
    ...(nginx.workerUser ? { NGINX_WORKER_USER: nginx.workerUser } : {}),
    SITES_ROOT: join(DATA_DIR, 'www'),
    STATE_DIR: stateDir,
    ACCESS_LOG_DIR: join(DATA_DIR, 'logs'),
    SITE_HTTP_PORT: String(HTTP_PORT),
    SITE_HTTPS_PORT: String(HTTPS_PORT),
    SITE_LISTEN_ADDRESS: nginx.listenAddress,
  });

  let app: INestApplication | undefined;
  const stop = async () => {
    await app?.close().catch(() => undefined);
    await Promise.allSettled([ari.stop(), pebble.stop(), nginx.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  app = await createApp(config);
  await app.listen(config.port, '127.0.0.1');
  const prisma = app.get(PrismaService);
  // the sandbox's one web host is this process's own (ROLE=all), with its agent in the same process
  const siteId = await ensureDemoSite(prisma, app.get(AgentService).hostId);
  // pebble's root is new on every start: certificates kept from a previous run no longer verify until renewed.
  await app.get(WebServerService).applyMany((await prisma.site.findMany({ select: { id: true } })).map(({ id }) => id));
  const { token } = await app.get(TokenService).create('staff', undefined, 'sandbox');
  const signInLink = await app.get(SignInLinksService).issue({ email: STAFF_EMAIL, role: 'staff' });
  printWelcome({ token, rootPath, siteId, port: config.port, signInLink });
}

async function keepSecretsKey(): Promise<{ key: string; created: boolean }> {
  const path = join(DATA_DIR, 'secrets.key');
  const existing = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (existing?.trim()) return { key: existing.trim(), created: false };
  const key = randomBytes(32).toString('base64');
  await fs.writeFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}

async function ensureDatabase(url: string): Promise<void> {
  const { Client } = await import('pg');
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function ensureDemoSite(prisma: PrismaService, hostId: string): Promise<string> {
  const existing = await prisma.site.findUnique({ where: { primaryDomain: DEMO_DOMAIN }, select: { id: true } });
  if (existing) return existing.id;
  const member = await prisma.member.create({ data: { name: 'Sandbox member', contactEmail: 'member@sandbox.test' } });
  const site = await prisma.site.create({
    data: {
      memberId: member.id,
      hostId,
      primaryDomain: DEMO_DOMAIN,
      domains: [DEMO_DOMAIN],
      documentRoot: join(DATA_DIR, 'www', DEMO_DOMAIN, 'public'),
      domainRows: { create: [{ domain: DEMO_DOMAIN }] },
      https: { create: { status: 'none' } },
      logging: { create: { mode: 'off', retentionDays: 7 } },
    },
  });
  await prisma.auditEvent.create({ data: { actor: 'cli', actorRole: 'staff', action: 'site.create', targetType: 'site', targetId: site.id, changes: { domains: [DEMO_DOMAIN], sandbox: true } } });
  return site.id;
}

/** A readable, collision-safe name for a data folder: its last path part plus a hash of the whole path. */
function sandboxId(dir: string): string {
  const readable = basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 20) || 'sandbox';
  return `${readable}_${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

function printWelcome(info: { token: string; rootPath: string; siteId: string; port: number; signInLink: string }): void {
  const api = `http://127.0.0.1:${info.port}`;
  console.log(`
hostkeeper sandbox is running (data in ${DATA_DIR})

  !! Certificates here come from a TEST CA (pebble). No browser trusts them, !!
  !! and pebble's root changes every time the sandbox starts.               !!

  console:      ${info.signInLink}
                (a one-time staff sign-in link, valid 15 minutes; afterwards sign in as ${STAFF_EMAIL},
                 or add a passkey under "My account")
  API:          ${api}   (OpenAPI UI: ${api}/docs)
  database:     ${DATABASE_URL}   Redis key prefix: ${REDIS_PREFIX}
  staff token:  ${info.token}
  pebble root:  ${info.rootPath}
  demo site:    ${DEMO_DOMAIN} (id ${info.siteId}), nginx on 127.0.0.1:${HTTP_PORT} (HTTP) and :${HTTPS_PORT} (HTTPS)

Enable HTTPS for the demo site, then fetch it with the test root:

  curl -X POST -H "Authorization: Bearer ${info.token}" ${api}/api/sites/${info.siteId}/https
  curl --cacert ${info.rootPath} --resolve ${DEMO_DOMAIN}:${HTTPS_PORT}:127.0.0.1 https://${DEMO_DOMAIN}:${HTTPS_PORT}/

Ctrl-C stops the service, pebble and nginx.
`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
