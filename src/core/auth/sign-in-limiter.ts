import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { AppException } from '../errors/app.exception.js';
import { SlidingWindow } from '../limits/sliding-window.js';

/**
 * Failed sign-ins per source address, for every door that takes a bearer
 * token: guessing tokens gets slow long before it gets anywhere. Only
 * failures count and are refused, so a flood from a shared address (a NAT, a
 * proxy) never locks out the people behind it who hold valid tokens.
 */
@Injectable()
export class SignInLimiter {
  private readonly failures: SlidingWindow;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.failures = new SlidingWindow(config.limits.authFailuresPerMinute, 60_000);
  }

  /** Call for a token that was refused: 429 once the address is over its limit, else counts it. */
  refused(request: Request): void {
    const source = request.socket.remoteAddress ?? 'unknown';
    const wait = this.failures.retryAfter(source);
    if (wait > 0) throw AppException.tooMany('too many failed sign-ins from this address; wait before trying again', wait);
    this.failures.record(source);
  }
}
