import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { StreamingProcessRunner } from './process-stream.adapter.js';

export interface ArchiveOptions {
  tarBin?: string;
}

/**
 * tar.gz archives of a folder's contents, streamed through the system tar.
 * GNU tar already refuses member names with `..`, strips leading `/` and does
 * not write through symlinks it extracted, so unpack relies on it for that.
 */
export class ArchiveAdapter {
  private readonly tar: string;

  constructor(
    private readonly streams = new StreamingProcessRunner(),
    options: ArchiveOptions = {},
  ) {
    this.tar = options.tarBin ?? 'tar';
  }

  /** Members are relative (`./index.html`), so unpacking reproduces the folder at any target. */
  pack(dir: string): Readable {
    return this.streams.output(this.tar, ['-C', dir, '-czf', '-', '.']);
  }

  async unpack(input: Readable, targetDir: string): Promise<void> {
    await fs.mkdir(targetDir, { recursive: true });
    // Files must belong to the service user, not to whatever uid the archive recorded.
    await this.streams.input(this.tar, ['-C', targetDir, '-xzf', '-', '--no-same-owner'], input);
  }
}
