import { execFile, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { letWorkersThrough } from './nginx-instance.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** Debian's packaged server binaries: /usr/lib/postgresql/<major>/bin. */
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';
/** Postgres refuses to run as root; as root we run it as this user, as Debian does. */
const SERVER_USER = 'postgres';
const START_TIMEOUT_SECONDS = 60;

export interface PrivatePostgresOptions {
  /** A folder of its own is made inside; data, settings and the server log stay in it. */
  baseDir: string;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** Folder with initdb, pg_ctl and postgres. Default: the newest under /usr/lib/postgresql. */
  binDir?: string;
}

export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  readonly logPath: string;
  /** A connection URL for a database on this server (superuser postgres, trust on 127.0.0.1). */
  url(database: string): string;
  /** A real server shutdown: `pg_ctl stop -m fast` (open sessions are ended, the postmaster exits). */
  stop(): Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops the server (if it runs) and deletes its folder. */
  remove(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

/**
 * A throwaway Postgres cluster of our own (initdb + pg_ctl), for tests that must
 * stop and start a real server without touching the machine's shared one.
 * Durability is traded for speed (fsync off): nothing in it is meant to last.
 * Callers remove() it when done; should they not get to, it is stopped and
 * removed when this process exits (any way but SIGKILL).
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const binDir = options.binDir ?? newestDebianBinDir();
  const port = options.port ?? (await freePort());
  const asServerUser = process.getuid?.() === 0;
  await fs.mkdir(options.baseDir, { recursive: true });
  const home = await fs.mkdtemp(join(options.baseDir, 'postgres-'));
  const dataDir = join(home, 'data');
  const logPath = join(home, 'server.log');
  if (asServerUser) {
    const { uid, gid } = await userIds(SERVER_USER);
    await fs.chown(home, uid, gid);
    await letWorkersThrough(options.baseDir);
  }
  const tool = (name: string, args: string[]) => {
    const [file, argv] = asServerUser ? ['runuser', ['-u', SERVER_USER, '--', join(binDir, name), ...args]] : [join(binDir, name), args];
    return run(file, argv, { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  };

  let running = false;
  const stopNow = () => {
    if (!running) return;
    const [file, argv] = asServerUser ? ['runuser', ['-u', SERVER_USER, '--', join(binDir, 'pg_ctl')]] : [join(binDir, 'pg_ctl'), []];
    spawnSync(file, [...argv, 'stop', '-D', dataDir, '-m', 'immediate', '-w'], { stdio: 'ignore' });
    running = false;
  };
  const removeOnExit = () => {
    stopNow();
    rmSync(home, { recursive: true, force: true });
  };
  process.on('exit', removeOnExit);

  const start = async () => {
    await tool('pg_ctl', ['start', '-D', dataDir, '-l', logPath, '-w', '-t', String(START_TIMEOUT_SECONDS)]);
    running = true;
  };
  const stop = async () => {
    await tool('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', String(START_TIMEOUT_SECONDS)]);
    running = false;
  };

  try {
    await tool('initdb', ['-D', dataDir, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C', '--no-sync']);
    // TCP on loopback only, no Unix socket (no clash with the shared server's /var/run/postgresql)
    await fs.appendFile(join(dataDir, 'postgresql.conf'), serverSettings(port));
    await start();
  } catch (error) {
    removeOnExit();
    process.off('exit', removeOnExit);
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`private Postgres did not start: ${(error as Error).message}\n${stderr}`);
  }

  return {
    port,
    dataDir,
    logPath,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    start,
    stop,
    get running() {
      return running;
    },
    async remove() {
      if (running) await stop().catch(stopNow);
      process.off('exit', removeOnExit);
      await fs.rm(home, { recursive: true, force: true });
    },
    async logTail(lines = 30) {
      const text = await fs.readFile(logPath, 'utf8').catch(() => '');
      return text.trim().split('\n').slice(-lines).join('\n');
    },
  };
}

function serverSettings(port: number): string {
  return `
port = ${port}
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
`;
}

function newestDebianBinDir(): string {
  const majors = existsSync(DEBIAN_PG_ROOT) ? readdirSync(DEBIAN_PG_ROOT).filter((name) => /^\d+$/.test(name) && existsSync(join(DEBIAN_PG_ROOT, name, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new Error(`no Postgres server binaries under ${DEBIAN_PG_ROOT} (apt-get install postgresql)`);
  const newest = majors.map(Number).sort((a, b) => b - a)[0];
  return join(DEBIAN_PG_ROOT, String(newest), 'bin');
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  const fields = passwd.split('\n').map((line) => line.split(':')).find((f) => f[0] === name);
  if (!fields) throw new Error(`there is no user ${name} to run Postgres as (Postgres refuses to run as root)`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}
