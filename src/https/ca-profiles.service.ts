import { Injectable } from '@nestjs/common';
import { AcmeAdapter } from '../core/adapters/acme.adapter.js';
import { AppException, ErrorCode } from '../core/errors/app.exception.js';

/** A site's profile must be one the CA's directory offers today. */
@Injectable()
export class CaProfiles {
  constructor(private readonly acme: AcmeAdapter) {}

  async assertOffered(profile: string): Promise<void> {
    const offered = await this.acme.profiles().catch((error: Error) => {
      throw new AppException(ErrorCode.Unavailable, `the CA's directory could not be read to check the profile: ${error.message}`);
    });
    if (Object.hasOwn(offered, profile)) return;
    const names = Object.keys(offered);
    throw AppException.invalid('the CA does not offer this profile', {
      profile: names.length > 0 ? `must be one of: ${names.join(', ')}` : 'this CA offers no profiles; leave profile out',
    });
  }
}
