import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { prefixed, ProcessError } from './process.adapter.js';

export interface StreamRunOptions {
  cwd?: string;
  /** Extra variables; merged over a minimal inherited environment. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Runs the program under these commands, e.g. ['nice', '-n', '10']. */
  prefix?: readonly string[];
}

const STDERR_LIMIT = 64 * 1024;
const BROKEN_PIPE_CODES = new Set(['EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/**
 * ProcessRunner's streaming sibling, for data too large to hold in memory
 * (archives, encrypted backups). Same rules: argument arrays, no shell.
 */
export class StreamingProcessRunner {
  /**
   * The program's stdout. It ends only after the program exits 0 and errors
   * otherwise, so a consumer never mistakes a truncated stream for a whole one.
   * Destroying the stream stops the program.
   */
  output(file: string, args: readonly string[], options: StreamRunOptions = {}): Readable {
    return stdoutUntilExit(file, this.start(file, args, options, ['ignore', 'pipe', 'pipe']));
  }

  /**
   * The program as a filter: `input` goes to its stdin, its stdout comes back.
   * The output errors, as output()'s does, when the program or the input fails.
   */
  filter(file: string, args: readonly string[], input: Readable, options: StreamRunOptions = {}): Readable {
    const child = this.start(file, args, options, ['pipe', 'pipe', 'pipe']);
    const out = stdoutUntilExit(file, child);
    pipeline(input, child.stdin!).catch((error: unknown) => {
      if (!isBrokenPipe(error)) out.destroy(error as Error);
    });
    return out;
  }

  /** Feeds `input` to the program's stdin; resolves once the program exits 0. */
  async input(file: string, args: readonly string[], input: Readable, options: StreamRunOptions = {}): Promise<void> {
    const child = this.start(file, args, options, ['pipe', 'ignore', 'pipe']);
    const stderr = collectStderr(child);
    const [piped, exited] = await Promise.allSettled([pipeline(input, child.stdin!), exitCodeOf(child)]);
    // The input's own failure (say, a message that fails authentication) explains more than the program's reaction to it.
    if (piped.status === 'rejected' && !isBrokenPipe(piped.reason)) {
      stopIfRunning(child);
      throw piped.reason;
    }
    if (exited.status === 'rejected') throw exited.reason;
    if (exited.value !== 0) throw new ProcessError(file, { code: exited.value, stdout: '', stderr: stderr() });
  }

  private start(file: string, args: readonly string[], options: StreamRunOptions, stdio: StdioOptions): ChildProcess {
    const [command, ...argv] = prefixed(file, args, options.prefix);
    return spawn(command, argv, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio,
      signal: options.signal,
      shell: false,
    });
  }
}

function stdoutUntilExit(file: string, child: ChildProcess): Readable {
  const stderr = collectStderr(child);
  const out = new PassThrough();
  child.stdout!.pipe(out, { end: false });
  exitCodeOf(child).then(
    (code) => {
      if (out.destroyed) return;
      if (code === 0) out.end();
      else out.destroy(new ProcessError(file, { code, stdout: '', stderr: stderr() }));
    },
    (error: Error) => out.destroy(error),
  );
  out.on('close', () => stopIfRunning(child));
  return out;
}

function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}

function collectStderr(child: ChildProcess): () => string {
  let text = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    text = (text + chunk).slice(-STDERR_LIMIT);
  });
  return () => text;
}

function stopIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill();
}

function isBrokenPipe(error: unknown): boolean {
  return BROKEN_PIPE_CODES.has((error as NodeJS.ErrnoException)?.code ?? '');
}
