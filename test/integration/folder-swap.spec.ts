import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import type { Provider } from '@nestjs/common';
import { AgentModule } from '../../src/agent/agent.module.js';
import { BackupHost } from '../../src/backups/backup-host.js';
import type { AppConfig } from '../../src/config/config.js';
import { FolderSwap, StagedSwap } from '../../src/backups/folder-swap.js';
import { PathExchange } from '../../src/core/adapters/path-exchange.adapter.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { readTree, writeTree } from '../support/file-tree.js';

const OLD_FILES = { 'index.html': 'old', 'css/a.css': 'a' };
const NEW_FILES = { 'index.html': 'new', 'img/b.bin': 'b' };

/** The real exchange, counting the exchanges it made. */
class CountingExchange extends PathExchange {
  exchanged = 0;
  override async exchange(a: string, b: string): Promise<boolean> {
    const done = await super.exchange(a, b);
    if (done) this.exchanged += 1;
    return done;
  }
}

/**
 * The restore's folder swap, crashed at each point a process can die, then
 * repaired as a start-up does: the document root is always whole, either the
 * old content or the new, and nothing is left beside it.
 */
describe('folder swap: journalled, repaired after a crash at any point (real filesystem)', () => {
  let dir: string;
  let stateDir: string;
  let target: string;
  let OLD: Record<string, string>;
  let NEW: Record<string, string>;

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'hk-swap-'));
    stateDir = join(dir, 'state');
    target = join(dir, 'www', 'site.example', 'public');
    await writeTree(target, OLD_FILES);
    OLD = await readTree(target);
    await writeTree(join(dir, 'expected-new'), NEW_FILES);
    NEW = await readTree(join(dir, 'expected-new'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const swaps = (paths: PathExchange = new PathExchange(new ProcessRunner())) => new FolderSwap({ stateDir }, paths);

  async function staged(): Promise<StagedSwap> {
    const swap = await swaps().stage(target, 'restore');
    await writeTree(swap.replacement, NEW_FILES);
    return swap;
  }

  async function leftovers(): Promise<string[]> {
    const beside = await fs.readdir(join(dir, 'www', 'site.example'));
    const journal = await fs.readdir(join(stateDir, 'folder-swaps')).catch(() => []);
    return [...beside.filter((n) => n !== 'public'), ...journal];
  }

  it('swaps in one atomic exchange (renameat2) and leaves nothing behind', async () => {
    const paths = new CountingExchange(new ProcessRunner());
    await swaps(paths).swap(await staged());
    expect(paths.exchanged).toBe(1);
    expect(await readTree(target)).toEqual(NEW);
    expect(await leftovers()).toEqual([]);
  });

  it('where the system cannot exchange, swaps by two renames', async () => {
    const paths = new CountingExchange(new ProcessRunner(), '/nonexistent/perl');
    await swaps(paths).swap(await staged());
    expect(paths.exchanged).toBe(0);
    expect(await readTree(target)).toEqual(NEW);
    expect(await leftovers()).toEqual([]);
  });

  it('crash right after the exchange: the new content stays, the old goes', async () => {
    const swap = await staged();
    expect(await new PathExchange(new ProcessRunner()).exchange(swap.replacement, swap.target)).toBe(true);
    expect(await swaps().repair()).toBe(1);
    expect(await readTree(target)).toEqual(NEW);
    expect(await leftovers()).toEqual([]);
  });

  it('crash before the swap: the site keeps its content, the staging folder goes', async () => {
    await staged();
    expect(await swaps().repair()).toBe(1);
    expect(await readTree(target)).toEqual(OLD);
    expect(await leftovers()).toEqual([]);
  });

  it('crash between the two renames of the fallback (no document root): the old content comes back', async () => {
    const swap = await staged();
    await fs.rename(swap.target, swap.aside);
    expect(await swaps().repair()).toBe(1);
    expect(await readTree(target)).toEqual(OLD);
    expect(await leftovers()).toEqual([]);
  });

  it('crash after the second rename of the fallback: the new content stays, the old goes', async () => {
    const swap = await staged();
    await fs.rename(swap.target, swap.aside);
    await fs.rename(swap.replacement, swap.target);
    expect(await swaps().repair()).toBe(1);
    expect(await readTree(target)).toEqual(NEW);
    expect(await leftovers()).toEqual([]);
  });

  it('a site that had no document root gets the restored one', async () => {
    await fs.rm(target, { recursive: true });
    await staged();
    await swaps().repair();
    expect(await readTree(target)).toEqual(NEW);
  });

  it('an agent repairs at start: the start hook settles the journal, and every agent (the host that restores) has it', async () => {
    const swap = await staged();
    await fs.rename(swap.target, swap.aside);
    await swaps().onApplicationBootstrap();
    expect(await readTree(target)).toEqual(OLD);
    expect(await leftovers()).toEqual([]);
    // restores run on the site's agent, which repairs its swaps (BackupHost.repair) before it takes commands
    const providers = (AgentModule.forRoot({ role: 'agent' } as AppConfig).providers ?? []) as Provider[];
    expect(providers.some((p) => p === BackupHost || (typeof p === 'object' && 'provide' in p && p.provide === BackupHost))).toBe(true);
  });
});
