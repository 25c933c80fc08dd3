import { request } from 'node:http';
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_SERVER_KEY, renderDefaultServer } from '../../src/web/default-server.renderer.js';
import { startDaemon, waitUntil } from './daemon.js';

export interface NginxInstanceOptions {
  /** A folder of its own: config, pid, logs and temp files all stay inside it. */
  dataDir: string;
  httpPort: number;
  httpsPort: number;
  /** Site files (`*.conf`) the instance includes; created when missing. */
  sitesDir: string;
  /** Served at /.well-known/acme-challenge/ on httpPort. Default `<dataDir>/acme-challenges`. */
  challengeDir?: string;
  /** false: leave Debian's njs module out, as an nginx without it would be. Default: load it when installed. */
  njs?: boolean;
  /** Where the site files listen, so hostkeeper's default server answers there too. Default [listenAddress]. */
  listenAddresses?: string[];
  /** The loopback address this instance answers on (several instances can share ports on 127.0.0.2, 127.0.0.3 …). Default 127.0.0.1. */
  listenAddress?: string;
  bin?: string;
  /**
   * Who the workers run as when we are root, as Debian's packaged nginx does.
   * Default NGINX_WORKER_USER, else www-data; `nobody` when that user does not exist.
   */
  workerUser?: string;
}

export interface NginxInstance {
  bin: string;
  confPath: string;
  pidPath: string;
  errorLogPath: string;
  sitesDir: string;
  challengeDir: string;
  /** The workers' user (never root); undefined when we are not root and the workers run as us. */
  workerUser?: string;
  /** Site files must listen on this address too; nginx never binds anything else. */
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  stop(): Promise<void>;
}

const LISTEN_ADDRESS = '127.0.0.1';
/** Debian's libnginx-mod-http-js: the challenge of under-attack mode runs in it. */
const NJS_MODULE = '/usr/lib/nginx/modules/ngx_http_js_module.so';

/** A private nginx for tests and the sandbox, run in the foreground as our child. */
export async function startNginx(options: NginxInstanceOptions): Promise<NginxInstance> {
  const bin = options.bin ?? 'nginx';
  const challengeDir = options.challengeDir ?? join(options.dataDir, 'acme-challenges');
  const paths = {
    confPath: join(options.dataDir, 'nginx.conf'),
    pidPath: join(options.dataDir, 'nginx.pid'),
    errorLogPath: join(options.dataDir, 'error.log'),
    tempDir: join(options.dataDir, 'temp'),
  };
  await Promise.all([options.sitesDir, challengeDir, paths.tempDir].map((dir) => fs.mkdir(dir, { recursive: true })));
  const workerUser = process.getuid?.() === 0 ? await pickWorkerUser(options.workerUser ?? process.env.NGINX_WORKER_USER ?? 'www-data') : undefined;
  // mkdtemp folders are 0700: the workers must be able to pass through to the challenge folder and the temp folders.
  if (workerUser) await Promise.all([options.dataDir, challengeDir].map(letWorkersThrough));
  await fs.writeFile(paths.confPath, mainConfig({ ...options, ...paths, challengeDir, workerUser }));
  // hostkeeper writes the same file when it applies; nginx needs a listener to start with.
  const defaultServer = renderDefaultServer({
    listenAddresses: options.listenAddresses ?? [options.listenAddress ?? LISTEN_ADDRESS],
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    challengeDir,
  });
  await fs.writeFile(join(options.sitesDir, `${DEFAULT_SERVER_KEY}.conf`), defaultServer);

  const daemon = startDaemon('nginx', bin, ['-c', paths.confPath, '-e', paths.errorLogPath, '-g', 'daemon off;'], {
    logPath: join(options.dataDir, 'nginx.out'),
  });
  try {
    await waitUntil(daemon, `HTTP on port ${options.httpPort}`, () => answers(options.httpPort, options.listenAddress ?? LISTEN_ADDRESS));
  } catch (error) {
    await daemon.stop();
    throw error;
  }

  return {
    bin,
    confPath: paths.confPath,
    pidPath: paths.pidPath,
    errorLogPath: paths.errorLogPath,
    sitesDir: options.sitesDir,
    challengeDir,
    workerUser,
    listenAddress: options.listenAddress ?? LISTEN_ADDRESS,
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    stop: () => daemon.stop(),
  };
}

interface ConfigInput extends NginxInstanceOptions {
  pidPath: string;
  errorLogPath: string;
  tempDir: string;
  challengeDir: string;
  workerUser?: string;
}

function mainConfig(input: ConfigInput): string {
  const path = (value: string) => safePath(value);
  const temp = (kind: string) => `${kind}_temp_path ${path(join(input.tempDir, kind))};`;
  // As Debian runs it: the master as root, the workers unprivileged (nginx creates its temp folders for them).
  const user = input.workerUser ? `user ${input.workerUser};` : '';
  const njs = input.njs !== false && existsSync(NJS_MODULE) ? `load_module ${NJS_MODULE};` : '';
  return `${njs}
${user}
worker_processes 1;
pid ${path(input.pidPath)};
error_log ${path(input.errorLogPath)} notice;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}

  include ${path(input.sitesDir)}/*.conf;
}
`;
}

/** The user if this system has it, else nobody (nginx's own default), said out loud. */
async function pickWorkerUser(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name)) throw new Error(`not a user name: ${name}`);
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  if (passwd.split('\n').some((line) => line.split(':')[0] === name)) return name;
  console.warn(`nginx-instance: there is no user ${name} here; the nginx workers run as nobody instead`);
  return 'nobody';
}

/**
 * Adds search permission for others (never read or write) to a folder and
 * each parent that lacks it, so the workers can reach what lies inside.
 */
export async function letWorkersThrough(path: string): Promise<void> {
  for (let dir = path; ; dir = dirname(dir)) {
    const stat = await fs.stat(dir);
    if ((stat.mode & 0o001) === 0) await fs.chmod(dir, (stat.mode & 0o7777) | 0o001);
    if (dir === dirname(dir)) return;
  }
}

function safePath(value: string): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(value)) throw new Error(`path not usable in nginx.conf unquoted: ${value}`);
  return value;
}

function answers(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    // The default server closes unknown names without an answer: a reset still means nginx listens.
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNRESET'));
    req.end();
  });
}
