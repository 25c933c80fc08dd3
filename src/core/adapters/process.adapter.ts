import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  /** Extra variables; merged over a minimal inherited environment. */
  env?: Record<string, string>;
  /** Written to the child's stdin, then closed. */
  input?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Runs the program under these commands, e.g. ['nice', '-n', '10']; an argument array like the rest. */
  prefix?: readonly string[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class ProcessError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(`${command} exited with ${result.code}: ${result.stderr.trim().slice(0, 2000)}`);
  }
}

/**
 * The one place that starts other programs. Always an argument array, never a
 * shell string, so nothing a request sends can become a command.
 */
export class ProcessRunner {
  run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [command, ...argv] = prefixed(file, args, options.prefix);
    return new Promise((resolvePromise, reject) => {
      const child = spawn(command, argv, {
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
        signal: options.signal,
        shell: false,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        resolvePromise({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }

  /** Like run, but a non-zero exit is an error. */
  async runChecked(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.run(file, args, options);
    if (result.code !== 0) throw new ProcessError(file, result);
    return result;
  }
}

/** The command line with its prefix (nice, ionice ...) in front; both exec the program, so a kill still reaches it. */
export function prefixed(file: string, args: readonly string[], prefix: readonly string[] = []): string[] {
  return [...prefix, file, ...args];
}
