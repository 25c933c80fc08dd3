import { Injectable, Logger } from '@nestjs/common';
import { AcmeAdapter } from '../core/adapters/acme.adapter.js';
import { AppException } from '../core/errors/app.exception.js';

/**
 * How long a request waits for the CA's directory. The adapter retries an
 * unreachable CA for about 30 s, far longer than a client waits; past this the
 * profile is accepted unchecked and the CA itself refuses an unknown one at
 * order time (invalidProfile), which fails the operation with its reason.
 */
export const DIRECTORY_WAIT_MS = 3_000;

/** A site's profile must be one the CA's directory offers today. */
@Injectable()
export class CaProfiles {
  private readonly logger = new Logger(CaProfiles.name);

  constructor(private readonly acme: AcmeAdapter) {}

  async assertOffered(profile: string): Promise<void> {
    const offered = await this.offeredWithin(DIRECTORY_WAIT_MS);
    if (offered === undefined) {
      this.logger.warn(`the CA's directory could not be read within ${DIRECTORY_WAIT_MS} ms; profile "${profile}" accepted unchecked`);
      return;
    }
    if (Object.hasOwn(offered, profile)) return;
    const names = Object.keys(offered);
    throw AppException.invalid('the CA does not offer this profile', {
      profile: names.length > 0 ? `must be one of: ${names.join(', ')}` : 'this CA offers no profiles; leave profile out',
    });
  }

  /** The offered profiles, or undefined when the directory did not answer in time (or at all). */
  private async offeredWithin(ms: number): Promise<Record<string, string> | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      return await Promise.race([this.acme.profiles().catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
