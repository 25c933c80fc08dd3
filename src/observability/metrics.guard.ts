import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SignInLimiter } from '../core/auth/sign-in-limiter.js';
import { TokenService } from '../core/auth/token.service.js';
import { AppException, ErrorCode } from '../core/errors/app.exception.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** /metrics answers Prometheus with METRICS_TOKEN, or staff with their own token; nobody else. */
@Injectable()
export class MetricsGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(
    private readonly tokens: TokenService,
    private readonly signIns: SignInLimiter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.expected = config.limits.metricsToken ? digest(config.limits.metricsToken) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new AppException(ErrorCode.Unauthenticated, 'send Authorization: Bearer <METRICS_TOKEN or a staff token>');
    if (this.expected && timingSafeEqual(digest(token), this.expected)) return true;
    const actor = await this.tokens.authenticate(token);
    if (!actor) {
      this.signIns.refused(request);
      throw new AppException(ErrorCode.Unauthenticated, 'unknown, revoked or expired token');
    }
    if (actor.role !== 'staff') throw new AppException(ErrorCode.Forbidden, `the ${actor.role} role may not read metrics`);
    return true;
  }
}
