import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import type { ResticRepo } from '../core/adapters/restic.adapter.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { BackupLocations } from './backup-locations.js';

export interface HostSigningKey {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

const SIGNING_KEY_ID = 'host';

export { isBackendUrl } from './backup-locations.js';

/**
 * The control plane's side of backup storage: the secrets that open
 * (provider custody) or sign (member custody) backups, kept encrypted with
 * SECRETS_KEY and sent to a site's agent sealed to that agent's own key.
 * Where the backups lie is each agent's BACKUP_TARGET (BackupLocations); the
 * location in a repository row is where this process's BACKUP_TARGET puts it.
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

  /** The member repository's password, made with its row on first use. */
  async passwordOf(memberId: string): Promise<string> {
    return (await this.repositoryOf(memberId)).password;
  }

  /** The password if the member ever had a repository; never creates one. */
  async existingPasswordOf(memberId: string): Promise<string | undefined> {
    return (await this.existingRepositoryOf(memberId))?.password;
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
    return new BackupLocations(this.config).repositoryOf(memberId);
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
