import { request } from 'node:http';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
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
  bin?: string;
}

export interface NginxInstance {
  bin: string;
  confPath: string;
  pidPath: string;
  errorLogPath: string;
  sitesDir: string;
  challengeDir: string;
  /** Site files must listen on this address too; nginx never binds anything else. */
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  stop(): Promise<void>;
}

const LISTEN_ADDRESS = '127.0.0.1';

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
  await fs.writeFile(paths.confPath, mainConfig({ ...options, ...paths, challengeDir }));

  const daemon = startDaemon('nginx', bin, ['-c', paths.confPath, '-e', paths.errorLogPath, '-g', 'daemon off;'], {
    logPath: join(options.dataDir, 'nginx.out'),
  });
  try {
    await waitUntil(daemon, `HTTP on port ${options.httpPort}`, () => answers(options.httpPort));
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
    listenAddress: LISTEN_ADDRESS,
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
}

function mainConfig(input: ConfigInput): string {
  const path = (value: string) => safePath(value);
  const temp = (kind: string) => `${kind}_temp_path ${path(join(input.tempDir, kind))};`;
  // As root, workers would drop to "nobody" and could not read 0700 temp folders.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
worker_processes 1;
pid ${path(input.pidPath)};
error_log ${path(input.errorLogPath)} notice;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}

  server {
    listen ${LISTEN_ADDRESS}:${input.httpPort} default_server;
    server_name _;
    location /.well-known/acme-challenge/ {
      alias ${path(input.challengeDir)}/;
      default_type text/plain;
    }
    location / { return 404; }
  }

  # Names no site claims get no certificate at all, rather than some other site's.
  server {
    listen ${LISTEN_ADDRESS}:${input.httpsPort} ssl default_server;
    ssl_reject_handshake on;
    # the protocol version is agreed with the default server before SNI picks a site
    ssl_protocols TLSv1.2 TLSv1.3;
  }

  include ${path(input.sitesDir)}/*.conf;
}
`;
}

function safePath(value: string): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(value)) throw new Error(`path not usable in nginx.conf unquoted: ${value}`);
  return value;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: LISTEN_ADDRESS, port, path: '/', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
