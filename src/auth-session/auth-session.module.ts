import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { AuthSessionController } from './auth-session.controller.js';
import { IdentityDirectory } from './identities.js';
import { PasskeysService } from './passkeys.service.js';
import { SessionCookies } from './session-cookies.js';
import { SignInLinksService } from './sign-in-links.service.js';

/** Console sign-in: mailed one-time links, passkeys, and the session cookie they lead to. */
@Module({
  imports: [NotificationsModule],
  controllers: [AuthSessionController],
  providers: [SignInLinksService, PasskeysService, IdentityDirectory, SessionCookies],
  exports: [SignInLinksService],
})
export class AuthSessionModule {}
