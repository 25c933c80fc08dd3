import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import type { Actor } from '../../core/auth/actor.js';
import { PgpAdapter } from '../../core/adapters/pgp.adapter.js';
import { AuditService } from '../../core/audit/audit.service.js';
import { SecretsService } from '../../core/crypto/secrets.service.js';
import { PrismaService } from '../../core/database/prisma.service.js';
import { LegalClock } from '../clock.js';
import type { PublishCanaryDto } from '../legal.dto.js';
import { signCleartext } from './cleartext.js';

/** Its own row among the host's signing keys: the canary key signs statements, nothing else. */
const CANARY_KEY_ID = 'canary';
const DAY = 24 * 3600_000;

export type CanaryStatus = 'valid' | 'lapsed' | 'none';

export interface CanaryView {
  status: CanaryStatus;
  issuedAt?: Date;
  expiresAt?: Date;
  fingerprint?: string;
  signed?: string;
  publicKey: string;
}

/**
 * The warrant canary: staff publish a statement, signed with the host's
 * OpenPGP key and valid for a while; once that while has passed without a new
 * one, the public page says by itself that it has lapsed.
 */
@Injectable()
export class CanaryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly secrets: SecretsService,
    private readonly pgp: PgpAdapter,
    private readonly clock: LegalClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async publish(actor: Actor, input: PublishCanaryDto): Promise<CanaryView> {
    const key = await this.key();
    const issuedAt = this.clock.now();
    const expiresAt = new Date(issuedAt.getTime() + (input.validDays ?? this.config.legal.canaryValidDays) * DAY);
    const text = [
      input.statement.trim(),
      '',
      `Host: ${this.config.legal.hostName}`,
      `Issued: ${issuedAt.toISOString()}`,
      `Expires: ${expiresAt.toISOString()}`,
      `If no newer statement is published by then, this one has lapsed.`,
    ].join('\n');
    const signed = await signCleartext(text, key.privateKey);
    await this.prisma.$transaction(async (tx) => {
      const row = await tx.canaryStatement.create({ data: { statement: input.statement.trim(), signed, fingerprint: key.fingerprint, issuedAt, expiresAt, actor: actor.id } });
      await this.audit.record(actor, { action: 'legal.canary.publish', targetType: 'canary', targetId: row.id, changes: { issuedAt: issuedAt.toISOString(), expiresAt: expiresAt.toISOString(), fingerprint: key.fingerprint } }, tx);
    });
    return this.current();
  }

  async current(): Promise<CanaryView> {
    const [latest, key] = await Promise.all([this.prisma.canaryStatement.findFirst({ orderBy: { issuedAt: 'desc' } }), this.key()]);
    if (!latest) return { status: 'none', publicKey: key.publicKey };
    return {
      status: latest.expiresAt > this.clock.now() ? 'valid' : 'lapsed',
      issuedAt: latest.issuedAt,
      expiresAt: latest.expiresAt,
      fingerprint: latest.fingerprint,
      signed: latest.signed,
      publicKey: key.publicKey,
    };
  }

  /** Generated on first use and sealed with SECRETS_KEY; two racing requests keep the first. */
  private async key(): Promise<{ privateKey: string; publicKey: string; fingerprint: string }> {
    let row = await this.prisma.signingKey.findUnique({ where: { id: CANARY_KEY_ID } });
    if (!row) {
      const pair = await this.pgp.generateSigningKey(`${this.config.legal.hostName} warrant canary`);
      await this.prisma.signingKey.createMany({
        data: [{ id: CANARY_KEY_ID, fingerprint: pair.fingerprint, publicKey: pair.armoredPublicKey, privateKeyEncrypted: this.secrets.encrypt(pair.armoredPrivateKey) }],
        skipDuplicates: true,
      });
      row = await this.prisma.signingKey.findUniqueOrThrow({ where: { id: CANARY_KEY_ID } });
    }
    return { privateKey: this.secrets.decrypt(row.privateKeyEncrypted), publicKey: row.publicKey, fingerprint: row.fingerprint };
  }
}
