import { Injectable } from '@nestjs/common';

/** The legal desk's sense of now: deadlines, gags and the canary are tested on a clock the tests control. */
@Injectable()
export class LegalClock {
  now(): Date {
    return new Date();
  }
}
