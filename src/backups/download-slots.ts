import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AppException } from '../core/errors/app.exception.js';

/** A slot frees when its download ends; the client is told to try a little later rather than queue. */
const RETRY_AFTER_SECONDS = 30;

/**
 * Downloads each member (or staff token) may have running at once in this
 * process: each holds a restic or file stream open, so an unbounded number
 * is an unbounded number of processes and file handles.
 */
@Injectable()
export class DownloadSlots {
  private readonly inUse = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Returns the release function, which may be called any number of times. */
  take(holder: string): () => void {
    const used = this.inUse.get(holder) ?? 0;
    const limit = this.config.limits.downloadsPerMember;
    if (used >= limit) {
      throw AppException.tooMany(`at most ${limit} downloads at once; wait for one to finish`, RETRY_AFTER_SECONDS, [{ field: 'downloads', problems: [`${used} running, limit ${limit}`] }]);
    }
    this.inUse.set(holder, used + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inUse.get(holder) ?? 1) - 1;
      if (left > 0) this.inUse.set(holder, left);
      else this.inUse.delete(holder);
    };
  }
}
