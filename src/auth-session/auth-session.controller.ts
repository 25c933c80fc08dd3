import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Public, Roles } from '../core/auth/auth.decorators.js';
import { CSRF_HEADER, csrfMatches, Identity, readCookie, SESSION_COOKIE, SessionService, SessionView } from '../core/auth/session.service.js';
import { AppException, ErrorCode } from '../core/errors/app.exception.js';
import { chosenLanguage } from '../ui/catalog.js';
import { PasskeyAnswerDto, RedeemLinkDto, SessionInfoView, SignInLinkDto } from './auth-session.dto.js';
import { SessionCookies } from './session-cookies.js';
import { PasskeysService } from './passkeys.service.js';
import { SignInLinksService } from './sign-in-links.service.js';

@ApiTags('console sign-in')
@Controller('auth')
export class AuthSessionController {
  constructor(
    private readonly links: SignInLinksService,
    private readonly passkeys: PasskeysService,
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
  ) {}

  @Post('link')
  @Public()
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'always, whether or not the address is known' })
  requestLink(@Body() body: SignInLinkDto, @Req() request: Request): Record<string, never> {
    const language = chosenLanguage(body.language, request.get('accept-language'));
    this.links.request(body.email, request.ip ?? 'unknown', language);
    return {};
  }

  @Post('link/redeem')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: SessionInfoView, description: 'sets the session cookie' })
  async redeem(@Body() body: RedeemLinkDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SessionInfoView> {
    return this.startSession(await this.links.redeem(body.token), request, response);
  }

  @Get('session')
  @Public()
  @ApiCookieAuth()
  @ApiOkResponse({ type: SessionInfoView })
  async session(@Req() request: Request): Promise<SessionInfoView> {
    return info(await this.requireSession(request));
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse()
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = cookie ? await this.sessions.find(cookie) : undefined;
    if (cookie && session) {
      if (!csrfMatches(session.csrfToken, request.get(CSRF_HEADER))) throw new AppException(ErrorCode.Forbidden, 'missing or wrong X-CSRF-Token for this session');
      await this.sessions.end(cookie);
    }
    this.cookies.clear(response);
  }

  @Get('passkeys')
  @Roles('staff', 'member', 'legal')
  @ApiCookieAuth()
  async listPasskeys(@Req() request: Request) {
    return this.passkeys.list(await this.requireSession(request));
  }

  @Delete('passkeys/:passkeyId')
  @Roles('staff', 'member', 'legal')
  @HttpCode(204)
  @ApiCookieAuth()
  @ApiNoContentResponse()
  async removePasskey(@Param('passkeyId') passkeyId: string, @Req() request: Request): Promise<void> {
    await this.passkeys.remove(await this.requireSession(request), passkeyId);
  }

  @Post('passkeys/register/options')
  @Roles('staff', 'member', 'legal')
  @HttpCode(200)
  @ApiCookieAuth()
  async registrationOptions(@CurrentActor() actor: Actor, @Req() request: Request) {
    return this.passkeys.registrationOptions(await this.requireSession(request), this.sessionId(actor));
  }

  @Post('passkeys/register')
  @Roles('staff', 'member', 'legal')
  @ApiCookieAuth()
  async register(@CurrentActor() actor: Actor, @Body() body: PasskeyAnswerDto, @Req() request: Request) {
    const session = await this.requireSession(request);
    return this.passkeys.register(session, this.sessionId(actor), body.challengeId, body.response as unknown as RegistrationResponseJSON);
  }

  @Post('passkeys/sign-in/options')
  @Public()
  @HttpCode(200)
  signInOptions() {
    return this.passkeys.signInOptions();
  }

  @Post('passkeys/sign-in')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: SessionInfoView, description: 'sets the session cookie' })
  async signIn(@Body() body: PasskeyAnswerDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SessionInfoView> {
    const identity = await this.passkeys.signIn(body.challengeId, body.response as unknown as AuthenticationResponseJSON);
    return this.startSession(identity, request, response);
  }

  private async startSession(identity: Identity, request: Request, response: Response): Promise<SessionInfoView> {
    const { cookie, session } = await this.sessions.start(identity);
    this.cookies.set(response, cookie, request.secure);
    return info(session);
  }

  private async requireSession(request: Request): Promise<SessionView> {
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = cookie ? await this.sessions.find(cookie) : undefined;
    if (!session) throw new AppException(ErrorCode.Unauthenticated, 'not signed in');
    return session;
  }

  private sessionId(actor: Actor): string {
    const id = this.sessions.sessionIdOf(actor);
    if (!id) throw new AppException(ErrorCode.Forbidden, 'passkeys are added from a signed-in console session, not with an API token');
    return id;
  }
}

function info(session: SessionView): SessionInfoView {
  return { email: session.email, role: session.role, ...(session.memberId ? { memberId: session.memberId } : {}), csrfToken: session.csrfToken };
}
