import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SESSION_COOKIE } from '../core/auth/session.service.js';

/** The session cookie: HttpOnly, SameSite=Strict, Secure whenever the console is reached over HTTPS (PUBLIC_URL, or the request itself). */
@Injectable()
export class SessionCookies {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  set(response: Response, value: string, secure: boolean): void {
    response.cookie(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secure || this.config.console.publicUrl.startsWith('https:'),
      path: '/',
      maxAge: this.config.console.sessionMaxMs,
    });
  }

  clear(response: Response): void {
    response.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  }
}
