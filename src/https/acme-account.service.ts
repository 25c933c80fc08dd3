import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AcmeAdapter } from '../core/adapters/acme.adapter.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService } from '../core/database/prisma.service.js';

export interface AcmeAccountKey {
  accountKeyPem: string;
  accountUrl: string;
}

const REGISTRATION_TIMEOUT_MS = 120_000;

/**
 * One ACME account per CA directory, its key sealed with SECRETS_KEY. The
 * first registration runs under a Postgres advisory lock: parallel first
 * registrations fail at the CA and would leave two accounts.
 */
@Injectable()
export class AcmeAccountService {
  private known?: Promise<AcmeAccountKey>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretsService,
    private readonly acme: AcmeAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  ensure(): Promise<AcmeAccountKey> {
    this.known ??= this.load().catch((error: unknown) => {
      this.known = undefined;
      throw error;
    });
    return this.known;
  }

  /**
   * The CA answered accountDoesNotExist for `stale`: the same key is registered
   * again (a new account URL), once however many orders noticed it.
   */
  async registerAgain(stale: AcmeAccountKey): Promise<AcmeAccountKey> {
    const directoryUrl = this.config.acme.directoryUrl;
    const fresh = await this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`acme-account:${directoryUrl}`}))`;
        const row = await tx.acmeAccount.findUniqueOrThrow({ where: { directoryUrl } });
        if (row.accountUrl && row.accountUrl !== stale.accountUrl) return { accountKeyPem: this.secrets.decrypt(row.keyEncrypted), accountUrl: row.accountUrl };
        const accountKeyPem = this.secrets.decrypt(row.keyEncrypted);
        const { accountUrl } = await this.acme.ensureAccount(accountKeyPem);
        await tx.acmeAccount.update({ where: { directoryUrl }, data: { accountUrl } });
        return { accountKeyPem, accountUrl };
      },
      { timeout: REGISTRATION_TIMEOUT_MS, maxWait: REGISTRATION_TIMEOUT_MS },
    );
    this.known = Promise.resolve(fresh);
    return fresh;
  }

  private async load(): Promise<AcmeAccountKey> {
    const directoryUrl = this.config.acme.directoryUrl;
    const existing = await this.prisma.acmeAccount.findUnique({ where: { directoryUrl } });
    if (existing?.accountUrl) return { accountKeyPem: this.secrets.decrypt(existing.keyEncrypted), accountUrl: existing.accountUrl };
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`acme-account:${directoryUrl}`}))`;
        const row = await tx.acmeAccount.findUnique({ where: { directoryUrl } });
        if (row?.accountUrl) return { accountKeyPem: this.secrets.decrypt(row.keyEncrypted), accountUrl: row.accountUrl };
        const accountKeyPem = row ? this.secrets.decrypt(row.keyEncrypted) : await this.acme.createAccountKey();
        const { accountUrl } = await this.acme.ensureAccount(accountKeyPem);
        const keyEncrypted = this.secrets.encrypt(accountKeyPem);
        await tx.acmeAccount.upsert({
          where: { directoryUrl },
          create: { directoryUrl, accountUrl, keyEncrypted },
          update: { accountUrl },
        });
        return { accountKeyPem, accountUrl };
      },
      { timeout: REGISTRATION_TIMEOUT_MS, maxWait: REGISTRATION_TIMEOUT_MS },
    );
  }
}
