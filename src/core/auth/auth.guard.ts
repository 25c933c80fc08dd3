import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException, ErrorCode } from '../errors/app.exception.js';
import type { Actor, ActorRole } from './actor.js';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import { CSRF_HEADER, csrfMatches, readCookie, SESSION_COOKIE, SessionService } from './session.service.js';
import { SignInLimiter } from './sign-in-limiter.js';
import { TokenService } from './token.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Bearer token or console session cookie → actor; then the route's @Roles decide.
 * Routes without @Roles or @Public are closed. A change made with the cookie must
 * also carry the session's CSRF token in X-CSRF-Token (the cookie is SameSite=Strict too).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly signIns: SignInLimiter,
  ) {}

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

  private async actorOf(request: Request): Promise<Actor> {
    const header = request.headers.authorization ?? '';
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!header && cookie) return this.sessionActor(request, cookie);
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppException(ErrorCode.Unauthenticated, 'send Authorization: Bearer <token>');
    const actor = await this.tokens.authenticate(match[1]);
    if (actor) return actor;
    this.signIns.refused(request);
    throw new AppException(ErrorCode.Unauthenticated, 'unknown, revoked or expired token');
  }

  private async sessionActor(request: Request, cookie: string): Promise<Actor> {
    const session = await this.sessions.find(cookie);
    if (!session) throw new AppException(ErrorCode.Unauthenticated, 'your session has ended: sign in again');
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(session.csrfToken, request.get(CSRF_HEADER))) {
      throw new AppException(ErrorCode.Forbidden, 'missing or wrong X-CSRF-Token for this session');
    }
    return session.actor;
  }
}
