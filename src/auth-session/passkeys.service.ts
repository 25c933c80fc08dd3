import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AuditService } from '../core/audit/audit.service.js';
import type { Identity, SessionView } from '../core/auth/session.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException, ErrorCode } from '../core/errors/app.exception.js';

const CHALLENGE_LIFETIME_MS = 5 * 60_000;

export interface PasskeyView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * Passkeys (WebAuthn) through @simplewebauthn/server. A signed-in person
 * registers one; later it alone signs them in, bound to PUBLIC_URL's origin,
 * which is what makes it phishing-proof.
 */
@Injectable()
export class PasskeysService {
  private readonly origin: string;
  private readonly rpID: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const url = new URL(config.console.publicUrl);
    this.origin = url.origin;
    this.rpID = url.hostname;
  }

  async registrationOptions(session: SessionView, sessionId: string): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const existing = await this.prisma.passkeyCredential.findMany({ where: identityWhere(session), select: { id: true, transports: true } });
    const options = await generateRegistrationOptions({
      rpName: 'hostkeeper',
      rpID: this.rpID,
      userName: session.email,
      userID: userHandle(session),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return { challengeId: await this.keepChallenge(options.challenge, sessionId), options };
  }

  async register(session: SessionView, sessionId: string, challengeId: string, response: RegistrationResponseJSON): Promise<PasskeyView> {
    const challenge = await this.takeChallenge(challengeId, sessionId);
    const result = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: this.origin, expectedRPID: this.rpID }).catch(() => {
      throw refused();
    });
    if (!result.verified || !result.registrationInfo) throw refused();
    const { credential } = result.registrationInfo;
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.passkeyCredential.create({
        data: {
          id: credential.id,
          email: session.email,
          role: session.role,
          memberId: session.memberId ?? null,
          publicKey: Buffer.from(credential.publicKey),
          counter: BigInt(credential.counter),
          transports: credential.transports ?? [],
        },
        select: { id: true, createdAt: true, lastUsedAt: true },
      });
      await this.audit.record(session.actor, { action: 'console.passkey_add', targetType: 'passkey', targetId: row.id }, tx);
      return row;
    });
  }

  async signInOptions(): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const options = await generateAuthenticationOptions({ rpID: this.rpID, userVerification: 'preferred', allowCredentials: [] });
    return { challengeId: await this.keepChallenge(options.challenge), options };
  }

  async signIn(challengeId: string, response: AuthenticationResponseJSON): Promise<Identity> {
    const challenge = await this.takeChallenge(challengeId);
    const credential = await this.prisma.passkeyCredential.findUnique({ where: { id: String(response.id ?? '') } });
    if (!credential) throw refused();
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: this.origin,
      expectedRPID: this.rpID,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(credential.publicKey),
        counter: Number(credential.counter),
        transports: credential.transports as AuthenticatorTransport[],
      },
    }).catch(() => {
      throw refused();
    });
    if (!result.verified) throw refused();
    const identity: Identity = { email: credential.email, role: credential.role, memberId: credential.memberId ?? undefined };
    await this.prisma.$transaction(async (tx) => {
      await tx.passkeyCredential.update({ where: { id: credential.id }, data: { counter: BigInt(result.authenticationInfo.newCounter), lastUsedAt: new Date() } });
      await this.audit.record({ id: `passkey:${credential.id}`, role: identity.role, memberId: identity.memberId }, { action: 'console.sign_in', targetType: 'console_session', changes: { via: 'passkey' } }, tx);
    });
    return identity;
  }

  list(session: SessionView): Promise<PasskeyView[]> {
    return this.prisma.passkeyCredential.findMany({ where: identityWhere(session), select: { id: true, createdAt: true, lastUsedAt: true }, orderBy: { createdAt: 'asc' } });
  }

  async remove(session: SessionView, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.passkeyCredential.deleteMany({ where: { id, ...identityWhere(session) } });
      if (count === 0) throw AppException.notFound('passkey');
      await this.audit.record(session.actor, { action: 'console.passkey_remove', targetType: 'passkey', targetId: id }, tx);
    });
  }

  private async keepChallenge(challenge: string, sessionId?: string): Promise<string> {
    await this.prisma.passkeyChallenge.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    const row = await this.prisma.passkeyChallenge.create({ data: { challenge, sessionId: sessionId ?? null, expiresAt: new Date(Date.now() + CHALLENGE_LIFETIME_MS) } });
    return row.id;
  }

  /** A challenge answers once, and only within the session that asked for it. */
  private async takeChallenge(id: string, sessionId?: string): Promise<string> {
    const where = { id, sessionId: sessionId ?? null, expiresAt: { gt: new Date() } };
    const row = await this.prisma.passkeyChallenge.findFirst({ where });
    if (!row) throw refused();
    const { count } = await this.prisma.passkeyChallenge.deleteMany({ where: { id: row.id } });
    if (count !== 1) throw refused();
    return row.challenge;
  }
}

function identityWhere(identity: Identity) {
  return { email: identity.email, role: identity.role, memberId: identity.memberId ?? null };
}

/** The WebAuthn user handle: stable per identity, and no personal data. */
function userHandle(identity: Identity): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`${identity.role}:${identity.memberId ?? ''}:${identity.email}`).digest());
}

function refused(): AppException {
  return new AppException(ErrorCode.Unauthenticated, 'the passkey was not accepted: try again, or sign in with a link');
}
