import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ArchiveAdapter } from '../../src/core/adapters/archive.adapter.js';
import { ProcessError, ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { readTree, writeTree } from '../support/file-tree.js';

describe('ArchiveAdapter (real tar)', () => {
  const archive = new ArchiveAdapter();
  const runner = new ProcessRunner();
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'hk-archive-'));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  /** A tar.gz built by tar itself, with `tarArgs` shaping its members. */
  async function craftedArchive(files: Record<string, string>, tarArgs: string[]): Promise<Readable> {
    const dir = await fs.mkdtemp(join(root, 'craft-'));
    await writeTree(dir, files);
    const out = join(dir, '..', `${dir.split('/').pop()}.tar.gz`);
    await runner.runChecked('tar', ['-C', dir, '-czf', out, ...tarArgs, ...Object.keys(files)]);
    return Readable.from([await fs.readFile(out)]);
  }

  it('round-trips a folder through pack and unpack', async () => {
    const source = join(root, 'source');
    await writeTree(source, { 'a.txt': 'a', 'deep/er/b.txt': 'b' });
    await fs.symlink('a.txt', join(source, 'link'));

    await archive.unpack(archive.pack(source), join(root, 'copy'));

    expect(await readTree(join(root, 'copy'))).toEqual(await readTree(source));
  });

  it('refuses members that climb out of the target', async () => {
    const target = join(root, 'climb', 'target');
    const input = await craftedArchive({ 'x.txt': 'x' }, ['--transform', 's,^x.txt$,../escaped.txt,']);

    await expect(archive.unpack(input, target)).rejects.toThrow(/contains '\.\.'/);
    await expect(fs.access(join(root, 'climb', 'escaped.txt'))).rejects.toThrow();
  });

  it('does not keep the owner recorded in the archive', async () => {
    const input = await craftedArchive({ 'owned.txt': 'o' }, ['--owner=4242', '--group=4242']);
    const target = join(root, 'owners');

    await archive.unpack(input, target);

    expect((await fs.stat(join(target, 'owned.txt'))).uid).toBe(process.getuid!());
  });

  it('fails the pack stream when the folder does not exist', async () => {
    const stream = archive.pack(join(root, 'missing'));

    await expect(stream.toArray()).rejects.toThrow(ProcessError);
  });

  it('reports the input stream failure rather than tar complaining about a short archive', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('upstream broke'));
      },
    });

    await expect(archive.unpack(failing, join(root, 'broken'))).rejects.toThrow('upstream broke');
  });
});
