import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SESSION_COOKIE } from '../core/auth/session.service.js';

/** The session cookie: HttpOnly, SameSite=Strict, Secure whenever the request came over HTTPS. */
@Injectable()
export class SessionCookies {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  set(response: Response, value: string, secure: boolean): void {
    response.cookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: this.config.console.sessionMaxMs });
  }

  clear(response: Response): void {
    response.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  }
}
