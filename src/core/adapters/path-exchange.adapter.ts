import { ProcessRunner } from './process.adapter.js';

/** renameat2(2) by architecture; elsewhere there is no exchange and callers fall back to two renames. */
const RENAMEAT2: Partial<Record<string, number>> = { x64: 316, arm64: 276 };
/** EINVAL, ENOSYS, EOPNOTSUPP: the kernel or the filesystem cannot exchange. */
const UNSUPPORTED = new Set(['22', '38', '95']);
/**
 * renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) through perl, which is
 * in every Debian install (perl-base is essential); Node has no binding for it.
 */
const SCRIPT = 'my $r = syscall($ARGV[0], -100, $ARGV[1], -100, $ARGV[2], 2); print $r == 0 ? "ok" : ($! + 0); exit 0';

export class PathExchangeError extends Error {}

/** Swaps two existing paths in one step: nobody ever sees either name missing. */
export class PathExchange {
  constructor(
    private readonly processes: ProcessRunner,
    private readonly perl = 'perl',
  ) {}

  /** True once exchanged; false when this system cannot exchange (nothing was changed). */
  async exchange(a: string, b: string): Promise<boolean> {
    const syscall = RENAMEAT2[process.arch];
    if (!syscall) return false;
    const result = await this.processes.run(this.perl, ['-e', SCRIPT, String(syscall), a, b], { timeoutMs: 10_000 }).catch(() => undefined);
    const answer = result?.stdout.trim();
    if (answer === 'ok') return true;
    if (answer === undefined || result?.code !== 0 || UNSUPPORTED.has(answer)) return false;
    throw new PathExchangeError(`exchanging ${a} and ${b} failed (errno ${answer})`);
  }
}
