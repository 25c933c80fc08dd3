import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { AppException, ErrorCode } from '../errors/app.exception.js';
import { SlidingWindow } from '../limits/sliding-window.js';
import type { Actor, ActorRole } from './actor.js';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import { TokenService } from './token.service.js';

/** Bearer token → actor; then the route's @Roles decide. Routes without @Roles or @Public are closed. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Failed sign-ins per source address: guessing tokens gets slow long before it gets anywhere. */
  private readonly failures: SlidingWindow;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.failures = new SlidingWindow(config.limits.authFailuresPerMinute, 60_000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const actor = await this.actorOf(request);
    request.actor = actor;

    const roles = this.reflector.getAllAndOverride<ActorRole[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!roles.includes(actor.role as ActorRole)) {
      throw new AppException(ErrorCode.Forbidden, `the ${actor.role} role may not do this`);
    }
    return true;
  }

  /** A valid token always passes, so a flood from a shared address (a NAT, a proxy) never locks out the people behind it. */
  private async actorOf(request: Request): Promise<Actor> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppException(ErrorCode.Unauthenticated, 'send Authorization: Bearer <token>');
    const actor = await this.tokens.authenticate(match[1]);
    if (actor) return actor;
    const source = request.socket.remoteAddress ?? 'unknown';
    const wait = this.failures.retryAfter(source);
    if (wait > 0) throw AppException.tooMany('too many failed sign-ins from this address; wait before trying again', wait);
    this.failures.record(source);
    throw new AppException(ErrorCode.Unauthenticated, 'unknown, revoked or expired token');
  }
}
