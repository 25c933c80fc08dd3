import { join } from 'node:path';
import { FilesAdapter } from '../core/adapters/files.adapter.js';

interface InForce {
  revision: number;
  tls: boolean;
}

/**
 * The revision of each site's desired state that this host has in force,
 * kept on the host's own disk: a restarted agent still refuses to apply an
 * older revision over a newer one, and answers a re-sent revision at once.
 */
export class RevisionBook {
  private readonly book = new Map<string, InForce>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly files: FilesAdapter,
    private readonly stateDir: string,
  ) {}

  private get path(): string {
    return join(this.stateDir, 'agent', 'revisions.json');
  }

  async load(): Promise<void> {
    const text = await this.files.readIfExists(this.path);
    if (!text) return;
    const entries = JSON.parse(text.toString('utf8')) as Record<string, InForce>;
    for (const [siteId, entry] of Object.entries(entries)) this.book.set(siteId, entry);
  }

  get(siteId: string): InForce | undefined {
    return this.book.get(siteId);
  }

  forget(siteId: string): Promise<void> {
    this.book.delete(siteId);
    return this.save();
  }

  record(applied: Array<{ siteId: string; revision: number; tls: boolean }>): Promise<void> {
    if (applied.length === 0) return Promise.resolve();
    for (const { siteId, revision, tls } of applied) {
      const seen = this.book.get(siteId);
      if (!seen || seen.revision <= revision) this.book.set(siteId, { revision, tls });
    }
    return this.save();
  }

  /** One write at a time, each with the whole book (a few dozen bytes per site). */
  private save(): Promise<void> {
    this.writing = this.writing.then(() => this.files.writeAtomic(this.path, JSON.stringify(Object.fromEntries(this.book)), 0o600)).catch(() => undefined);
    return this.writing;
  }
}
