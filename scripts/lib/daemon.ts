import { spawn } from 'node:child_process';
import { existsSync, closeSync, openSync, readFileSync } from 'node:fs';

export interface DaemonOptions {
  env?: Record<string, string>;
  /** stdout and stderr go here, so a failed start can be explained. */
  logPath: string;
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly running: boolean;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const SETPRIV = '/usr/bin/setpriv';
const STOP_GRACE_MS = 5_000;

/**
 * Starts a long-running test helper (pebble, nginx) that cannot outlive us:
 * it is killed on stop(), on a normal exit of this process, and, through
 * setpriv's parent-death signal, when this process dies some other way.
 */
export function startDaemon(name: string, file: string, args: readonly string[], options: DaemonOptions): Daemon {
  const [command, argv] = existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', file, ...args]]
    : [file, [...args]];
  const logFd = openSync(options.logPath, 'a');
  const child = spawn(command, argv, {
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...options.env },
    stdio: ['ignore', logFd, logFd],
    detached: false,
    shell: false,
  });
  closeSync(logFd);

  let running = true;
  // SIGTERM, not SIGKILL: an nginx master must live long enough to stop its workers.
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running = false;
      process.off('exit', killOnExit);
      resolve(code);
    });
    child.once('error', () => {
      running = false;
      process.off('exit', killOnExit);
      resolve(null);
    });
  });

  return {
    name,
    pid: child.pid ?? -1,
    exited,
    get running() {
      return running;
    },
    logTail: (lines = 20) => readFileSync(options.logPath, 'utf8').trim().split('\n').slice(-lines).join('\n'),
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls until check() is true, failing early if the daemon died. */
export async function waitUntil(daemon: Daemon, what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!daemon.running) throw new Error(`${daemon.name} exited before ${what}:\n${daemon.logTail()}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${daemon.name}: timed out waiting for ${what}:\n${daemon.logTail()}`);
}
