import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import type { ResticRepo } from '../core/adapters/restic.adapter.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';

export interface HostSigningKey {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

const SIGNING_KEY_ID = 'host';

/** A restic backend URL (`sftp:`, `s3:`, `rest:`...) rather than a local folder. */
export function isBackendUrl(target: string): boolean {
  return /^[a-z0-9]+:/i.test(target) && !target.startsWith('/');
}

/**
 * Where backups live and the secrets that open (provider custody) or sign
 * (member custody) them. Secrets are kept encrypted with SECRETS_KEY.
 */
@Injectable()
export class BackupStorage {
  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretsService,
    private readonly pgp: PgpAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The member's repository: its row and random password are made on first use; `restic init` waits until restic finds no repository there. */
  async repositoryOf(memberId: string): Promise<ResticRepo> {
    const row = (await this.prisma.backupRepository.findUnique({ where: { memberId } })) ?? (await this.createRepositoryRow(memberId));
    return { repository: row.location, password: this.secrets.decrypt(row.passwordEncrypted) };
  }

  /** The repository if one was ever made; never creates one. */
  async existingRepositoryOf(memberId: string): Promise<ResticRepo | undefined> {
    const row = await this.prisma.backupRepository.findUnique({ where: { memberId } });
    return row ? { repository: row.location, password: this.secrets.decrypt(row.passwordEncrypted) } : undefined;
  }

  memberArchiveDir(siteId: string): string {
    // Archives are plain files: with a remote restic backend they stay on local disk.
    const base = isBackendUrl(this.config.backupTarget) ? join(this.config.stateDir, 'backups') : this.config.backupTarget;
    return join(base, 'member-custody', siteId);
  }

  scratchDir(): string {
    return join(this.config.stateDir, 'backup-scratch');
  }

  /** The host's OpenPGP signing key, generated once. It can sign, never decrypt. */
  async signingKey(): Promise<HostSigningKey> {
    const row = (await this.prisma.signingKey.findUnique({ where: { id: SIGNING_KEY_ID } })) ?? (await this.createSigningKey());
    return { privateKey: this.secrets.decrypt(row.privateKeyEncrypted), publicKey: row.publicKey, fingerprint: row.fingerprint };
  }

  private async createRepositoryRow(memberId: string) {
    const location = this.locationFor(memberId);
    const passwordEncrypted = this.secrets.encrypt(randomBytes(32).toString('base64url'));
    // Two workers may race to create it: the first row wins, the other reads it.
    await this.prisma.backupRepository.createMany({ data: [{ memberId, location, passwordEncrypted }], skipDuplicates: true });
    return this.prisma.backupRepository.findUniqueOrThrow({ where: { memberId } });
  }

  private locationFor(memberId: string): string {
    const target = this.config.backupTarget;
    return isBackendUrl(target) ? `${target.replace(/\/+$/, '')}/${memberId}` : join(target, 'restic', memberId);
  }

  private async createSigningKey() {
    const pair = await this.pgp.generateSigningKey('hostkeeper backup signing key');
    await this.prisma.signingKey.createMany({
      data: [{ id: SIGNING_KEY_ID, fingerprint: pair.fingerprint, publicKey: pair.armoredPublicKey, privateKeyEncrypted: this.secrets.encrypt(pair.armoredPrivateKey) }],
      skipDuplicates: true,
    });
    return this.prisma.signingKey.findUniqueOrThrow({ where: { id: SIGNING_KEY_ID } });
  }
}
