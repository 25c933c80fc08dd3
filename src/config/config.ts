import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * Every setting the service reads, parsed and validated in one place.
 * Nothing else in the code reads process.env.
 */
export type Role = 'all' | 'api' | 'worker' | 'agent';
export type LoggingMode = 'off' | 'anonymized' | 'full';

export interface AppConfig {
  nodeEnv: string;
  role: Role;
  port: number;
  databaseUrl: string;
  /** connections of this process's Postgres pool */
  databasePoolSize: number;
  redisUrl: string;
  /** key prefix of every queue in Redis: two services sharing one Redis database keep apart by it */
  redisPrefix: string;
  /** 32 raw bytes; undefined only outside production when the caller supplies none. */
  secretsKey: Buffer;
  cronsEnabled: boolean;
  fleet: {
    /** ROLE=agent: the host this agent serves */
    hostId?: string;
    /** ROLE=agent: the agent's private keys (see `npm run host:credentials`) */
    agentPrivateKey?: string;
    /** ROLE=all: name of the host created at first start for the in-process agent */
    localHostName: string;
    heartbeatMs: number;
    /** a host whose agent has not been heard from for this long is offline */
    offlineAfterMs: number;
    /** how long the control plane waits for an agent's answer before it looks at the host again */
    commandTimeoutMs: number;
    /** how long a queued operation waits before it asks an offline host again */
    offlineRetryMs: number;
    /** largest random delay before an agent reloads nginx, so hosts do not all reload in the same second */
    reloadJitterMs: number;
  };
  acme: {
    directoryUrl: string;
    caBundle?: string;
    contactEmail?: string;
    keyType: 'ecdsa' | 'rsa';
    renewBeforeFraction: number;
    /** issuance jobs one worker process runs at once */
    concurrency: number;
    /** our own copy of the CA's limits, counted from our records, so we stop before the CA has to */
    rateLimits: { certificatesPerDomain: number; domainWindowHours: number; ordersPerAccount: number; accountWindowHours: number };
    /** orders of the account window no member may use: renewals only */
    renewalReserve: number;
    /** orders one member's requests may start per account window */
    memberOrderBudget: number;
    /** the CA profile new orders ask for unless the site chose one; undefined = the CA's default */
    defaultProfile?: string;
    /** what a TLS client trusts when checking the served certificate (the CA's roots); undefined = system trust */
    servedTrustBundle?: string;
    /** the CA's CAA issuer domain (RFC 8659), for the advice per site */
    caaIdentity: string;
    /** host:port of the DNS server CAA advice asks; undefined = the system resolver */
    caaDnsServer?: string;
  };
  nginx: {
    bin: string;
    conf: string;
    sitesDir: string;
    reloadWindowMs: number;
    /** the user nginx's workers run as (`user` of NGINX_CONF); owns the per-site access log folders */
    workerUser: string;
  };
  sitesRoot: string;
  stateDir: string;
  accessLogDir: string;
  /** address the generated vhosts listen on; empty = every address */
  siteListenAddress: string;
  /** every address the generated vhosts listen on (SITE_LISTEN_ADDRESS, comma-separated); empty = every address */
  siteListenAddresses: string[];
  siteHttpPort: number;
  siteHttpsPort: number;
  backupTarget: string;
  backupConcurrency: number;
  /** nice level of restic, tar and gzip (ionice best-effort 7 too); 0 = run them at normal priority */
  backupNice: number;
  defaultLogging: { mode: LoggingMode; retentionDays: number };
  smtp: { url?: string; from: string; staffAlertEmail?: string };
  /** logging.apply jobs one worker process runs at once; they wait on the shared nginx batch, so many is cheap */
  loggingConcurrency: number;
  /** Per client address, for sites in guarded mode (and exempt paths under the challenge). */
  defence: { ratePerSecond: number; burst: number; connections: number };
  /** on SIGTERM, how long requests and jobs in hand may run on before they are cut off */
  shutdownGraceMs: number;
  /** the legal desk: who hears of check-ins and deadlines, the name on public pages, the canary's rhythm */
  legal: { alertEmail?: string; hostName: string; canaryValidDays: number; canaryRemindDays: number };
  console: ConsoleConfig;
  limits: LimitsConfig;
}

export interface ConsoleConfig {
  /** where people reach the console; sign-in links and the passkey origin are built from it, never from a request's Host */
  publicUrl: string;
  staffEmails: string[];
  legalEmails: string[];
  sessionIdleMs: number;
  sessionMaxMs: number;
  linkLimitPerAddress: number;
  linkLimitPerSource: number;
  /** Express "trust proxy": behind a TLS proxy, request.secure (and so the cookie's Secure flag) follows X-Forwarded-Proto */
  trustProxy: string | false;
}

/** What keeps one careless or hostile caller from using up what everyone shares. */
export interface LimitsConfig {
  /** failed sign-ins (unknown, revoked or expired tokens) per source address per minute */
  authFailuresPerMinute: number;
  /** a Bearer token for Prometheus; staff tokens are accepted too */
  metricsToken?: string;
  /** the shortest gap between two runs of a schedule a member sets */
  memberBackupMinIntervalMinutes: number;
  /** backup storage per member, in MiB; 0 = no quota */
  backupQuotaMb: number;
  /** manual backups one member may start per hour */
  manualBackupsPerHour: number;
  /** backup downloads one member may have running at once (per API process) */
  downloadsPerMember: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`hostkeeper cannot start, its settings need attention:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export const PROFILE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const nodeEnv = env.NODE_ENV ?? 'development';
  const role = read.oneOf('ROLE', ['all', 'api', 'worker', 'agent'] as const, 'all');
  const stateDir = read.path('STATE_DIR', '/var/lib/hostkeeper');
  // an agent holds no SECRETS_KEY and no DATABASE_URL: what it needs comes sealed to its own key
  const secretsKey = role === 'agent' ? Buffer.alloc(0) : read.secretsKey(nodeEnv === 'production');
  const siteListenAddresses = read.listenAddresses('SITE_LISTEN_ADDRESS');

  const config: AppConfig = {
    nodeEnv,
    role,
    port: read.port('PORT', 3000),
    databaseUrl: read.url('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/hostkeeper', ['postgres:', 'postgresql:']),
    databasePoolSize: read.int('DATABASE_POOL_SIZE', 20, 1, 500),
    redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: read.name('REDIS_PREFIX', 'hostkeeper'),
    secretsKey,
    cronsEnabled: read.bool('CRONS_ENABLED', true),
    fleet: {
      hostId: role === 'agent' ? read.uuid('HOST_ID') : undefined,
      agentPrivateKey: role === 'agent' ? read.required('AGENT_PRIVATE_KEY', 'print it with `npm run host:credentials -- --host <id>`') : undefined,
      localHostName: read.hostLabel('HOST_NAME', hostname()),
      heartbeatMs: read.int('AGENT_HEARTBEAT_MS', 5_000, 100, 600_000),
      offlineAfterMs: read.int('HOST_OFFLINE_AFTER_SECONDS', 20, 1, 86_400) * 1000,
      commandTimeoutMs: read.int('AGENT_COMMAND_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
      offlineRetryMs: read.int('HOST_OFFLINE_RETRY_SECONDS', 5, 1, 3600) * 1000,
      reloadJitterMs: read.int('AGENT_RELOAD_JITTER_MS', 300, 0, 60_000),
    },
    acme: {
      directoryUrl: read.url('ACME_DIRECTORY_URL', LETS_ENCRYPT_PRODUCTION, ['https:', 'http:']),
      caBundle: read.optionalPath('ACME_CA_BUNDLE'),
      contactEmail: read.optionalEmail('ACME_CONTACT_EMAIL'),
      keyType: read.oneOf('ACME_KEY_TYPE', ['ecdsa', 'rsa'] as const, 'ecdsa'),
      renewBeforeFraction: 1 / 3,
      concurrency: read.int('ACME_CONCURRENCY', 100, 1, 1000),
      rateLimits: {
        certificatesPerDomain: read.int('ACME_LIMIT_CERTS_PER_DOMAIN', 50, 1, 1_000_000),
        domainWindowHours: read.int('ACME_LIMIT_DOMAIN_WINDOW_HOURS', 168, 1, 100_000),
        ordersPerAccount: read.int('ACME_LIMIT_ORDERS_PER_ACCOUNT', 300, 1, 1_000_000),
        accountWindowHours: read.int('ACME_LIMIT_ACCOUNT_WINDOW_HOURS', 3, 1, 100_000),
      },
      renewalReserve: read.int('ACME_RENEWAL_RESERVE', Math.floor(read.int('ACME_LIMIT_ORDERS_PER_ACCOUNT', 300, 1, 1_000_000) / 5), 0, 1_000_000),
      memberOrderBudget: read.int('ACME_MEMBER_ORDER_BUDGET', 30, 1, 1_000_000),
      defaultProfile: read.optionalProfile('ACME_DEFAULT_PROFILE'),
      servedTrustBundle: read.optionalPath('ACME_SERVED_TRUST_BUNDLE'),
      caaIdentity: read.hostname('ACME_CAA_IDENTITY', 'letsencrypt.org'),
      caaDnsServer: read.optionalHostPort('CAA_DNS_SERVER'),
    },
    nginx: {
      bin: env.NGINX_BIN || 'nginx',
      conf: read.path('NGINX_CONF', '/etc/nginx/nginx.conf'),
      sitesDir: read.path('NGINX_SITES_DIR', '/etc/nginx/hostkeeper.d'),
      reloadWindowMs: read.int('NGINX_RELOAD_WINDOW_MS', 250, 0, 60_000),
      workerUser: read.userName('NGINX_WORKER_USER', 'www-data'),
    },
    sitesRoot: read.path('SITES_ROOT', '/var/www'),
    stateDir,
    accessLogDir: read.path('ACCESS_LOG_DIR', '/var/log/hostkeeper'),
    siteListenAddress: siteListenAddresses[0] ?? '',
    siteListenAddresses,
    siteHttpPort: read.port('SITE_HTTP_PORT', 80),
    siteHttpsPort: read.port('SITE_HTTPS_PORT', 443),
    backupTarget: env.BACKUP_TARGET || join(stateDir, 'backups'),
    backupConcurrency: read.int('BACKUP_CONCURRENCY', 2, 1, 64),
    backupNice: read.int('BACKUP_NICE', 10, 0, 19),
    defaultLogging: {
      mode: read.oneOf('DEFAULT_LOGGING_MODE', ['off', 'anonymized', 'full'] as const, 'off'),
      retentionDays: read.int('DEFAULT_LOG_RETENTION_DAYS', 7, 1, 90),
    },
    smtp: {
      url: env.SMTP_URL || undefined,
      from: env.SMTP_FROM || 'hostkeeper@localhost',
      staffAlertEmail: read.optionalEmail('STAFF_ALERT_EMAIL'),
    },
    loggingConcurrency: read.int('LOGGING_CONCURRENCY', 2000, 1, 5000),
    defence: {
      ratePerSecond: read.int('DEFENCE_RATE_PER_SECOND', 10, 1, 10_000),
      burst: read.int('DEFENCE_BURST', 40, 0, 100_000),
      connections: read.int('DEFENCE_CONNECTIONS', 20, 1, 100_000),
    },
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_SECONDS', 30, 0, 3600) * 1000,
    legal: {
      alertEmail: read.optionalEmail('LEGAL_ALERT_EMAIL'),
      hostName: env.LEGAL_HOST_NAME || 'hostkeeper',
      canaryValidDays: read.int('CANARY_VALID_DAYS', 90, 1, 366),
      canaryRemindDays: read.int('CANARY_REMIND_DAYS', 14, 1, 180),
    },
    console: {
      publicUrl: read.url('PUBLIC_URL', `http://localhost:${env.PORT || 3000}`, ['https:', 'http:']).replace(/\/+$/, ''),
      staffEmails: read.emailList('STAFF_EMAILS'),
      legalEmails: read.emailList('LEGAL_EMAILS'),
      sessionIdleMs: read.int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60) * 60_000,
      sessionMaxMs: read.int('SESSION_MAX_HOURS', 12, 1, 24 * 30) * 3_600_000,
      linkLimitPerAddress: read.int('SIGNIN_LINKS_PER_ADDRESS_HOUR', 5, 1, 1000),
      linkLimitPerSource: read.int('SIGNIN_LINKS_PER_SOURCE_HOUR', 20, 1, 100_000),
      trustProxy: env.TRUST_PROXY || false,
    },
    limits: {
      authFailuresPerMinute: read.int('AUTH_FAILURES_PER_MINUTE', 20, 1, 100_000),
      metricsToken: read.optionalSecret('METRICS_TOKEN'),
      memberBackupMinIntervalMinutes: read.int('BACKUP_MEMBER_MIN_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60),
      backupQuotaMb: read.int('BACKUP_QUOTA_MB', 10_240, 0, 100_000_000),
      manualBackupsPerHour: read.int('BACKUP_MANUAL_PER_HOUR', 6, 1, 1000),
      downloadsPerMember: read.int('DOWNLOADS_PER_MEMBER', 2, 1, 100),
    },
  };

  if (config.acme.renewalReserve >= config.acme.rateLimits.ordersPerAccount) {
    problems.push('ACME_RENEWAL_RESERVE must be smaller than ACME_LIMIT_ORDERS_PER_ACCOUNT (members need some orders too)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.env[name];
    if (value === undefined || value === '') return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, 0, 65535);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.env[name];
    if (value === undefined || value === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.env[name] || fallback;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')} URL (got protocol "${parsed.protocol}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return value;
  }

  path(name: string, fallback: string): string {
    const value = this.env[name] || fallback;
    if (!isAbsolute(value) && !value.startsWith('.')) {
      this.problems.push(`${name} must be a path (got "${value}")`);
    }
    return resolve(value);
  }

  optionalPath(name: string): string | undefined {
    return this.env[name] ? this.path(name, '') : undefined;
  }

  /** An IPv4 or bracketed IPv6 literal: it is written into nginx's listen directive. */
  listenAddress(name: string, value = this.env[name] ?? ''): string {
    if (value === '' || /^(\d{1,3}\.){3}\d{1,3}$/.test(value) || /^\[[0-9a-fA-F:.]+\]$/.test(value)) return value;
    this.problems.push(`${name} must be an IPv4 address or an IPv6 address in brackets (got "${value}")`);
    return '';
  }

  listenAddresses(name: string): string[] {
    const values = (this.env[name] ?? '').split(',').map((value) => value.trim()).filter(Boolean);
    return [...new Set(values.map((value) => this.listenAddress(name, value)).filter(Boolean))];
  }

  /** A CA profile name as RFC 8555 profiles are named; whether the CA offers it is checked against its directory. */
  optionalProfile(name: string): string | undefined {
    const value = this.env[name];
    if (!value) return undefined;
    if (!PROFILE_NAME.test(value)) this.problems.push(`${name} must be a profile name such as classic or shortlived (got "${value}")`);
    return value;
  }

  optionalHostPort(name: string): string | undefined {
    const value = this.env[name];
    if (!value) return undefined;
    if (!/^(\d{1,3}\.){3}\d{1,3}(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(value)) this.problems.push(`${name} must be an IP address with an optional port, e.g. 127.0.0.1:53 (got "${value}")`);
    return value;
  }

  /** A system user name as useradd accepts it; it is written into no file, only looked up. */
  userName(name: string, fallback: string): string {
    const value = this.env[name] || fallback;
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(value)) this.problems.push(`${name} must be a system user name such as www-data (got "${value}")`);
    return value;
  }

  hostname(name: string, fallback: string): string {
    const value = this.env[name] || fallback;
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(value)) this.problems.push(`${name} must be a domain name (got "${value}")`);
    return value;
  }

  uuid(name: string): string {
    const value = this.env[name] ?? '';
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
      this.problems.push(`${name} must be a host id (a UUID, as \`npm run host:credentials\` prints it; got "${value}")`);
    }
    return value.toLowerCase();
  }

  required(name: string, hint: string): string {
    const value = this.env[name];
    if (!value) this.problems.push(`${name} is required: ${hint}`);
    return value ?? '';
  }

  /** A host name as people write it: letters, digits, dots, dashes. */
  hostLabel(name: string, fallback: string): string {
    const value = this.env[name] || fallback;
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(value)) this.problems.push(`${name} must be a short host name (letters, digits, dots, dashes; got "${value}")`);
    return value;
  }

  optionalSecret(name: string): string | undefined {
    const value = this.env[name];
    if (!value) return undefined;
    if (value.length < 32) this.problems.push(`${name} must be at least 32 characters (openssl rand -hex 32)`);
    return value;
  }

  optionalEmail(name: string, value = this.env[name]): string | undefined {
    if (!value) return undefined;
    if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value)) {
      this.problems.push(`${name} must be an email address (got "${value}")`);
    }
    return value;
  }

  /** A short name that is safe as a key prefix. */
  name(name: string, fallback: string): string {
    const value = this.env[name] || fallback;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) this.problems.push(`${name} must be 1 to 64 letters, digits, - or _ (got "${value}")`);
    return value;
  }

  emailList(name: string): string[] {
    const values = (this.env[name] ?? '').split(',').map((value) => value.trim().toLowerCase()).filter(Boolean);
    for (const value of values) this.optionalEmail(name, value);
    return [...new Set(values)];
  }

  secretsKey(required: boolean): Buffer {
    const value = this.env.SECRETS_KEY;
    if (!value) {
      if (required) {
        this.problems.push('SECRETS_KEY is required in production: 32 random bytes in base64 (openssl rand -base64 32)');
      } else {
        this.problems.push(
          'SECRETS_KEY is not set: generate one with `openssl rand -base64 32` (the sandbox command makes one for you)',
        );
      }
      return Buffer.alloc(32);
    }
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) {
      this.problems.push(`SECRETS_KEY must decode from base64 to exactly 32 bytes (got ${key.length})`);
    }
    return key;
  }
}
