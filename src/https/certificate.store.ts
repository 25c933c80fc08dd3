import { Injectable } from '@nestjs/common';
import type { IssuedCertificate } from '../core/adapters/acme.adapter.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService, Tx } from '../core/database/prisma.service.js';

/** Certificates in Postgres: the chain in clear, the key sealed with SECRETS_KEY; one current per site. */
@Injectable()
export class CertificateStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly secrets: SecretsService,
  ) {}

  async saveCurrent(tx: Tx, siteId: string, domains: string[], keyType: string, issued: IssuedCertificate, profile?: string): Promise<{ id: string }> {
    await tx.certificate.updateMany({ where: { siteId, current: true }, data: { current: false } });
    return tx.certificate.create({
      data: {
        siteId,
        domains,
        keyType,
        chainPem: issued.certificatePem,
        keyEncrypted: this.secrets.encrypt(issued.privateKeyPem),
        serial: issued.serial,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        current: true,
        profile: profile ?? null,
        ariCertId: issued.ariCertId,
      },
      select: { id: true },
    });
  }

  current(siteId: string) {
    return this.prisma.certificate.findFirst({
      where: { siteId, current: true },
      orderBy: { createdAt: 'desc' },
      select: { id: true, chainPem: true, serial: true, notAfter: true, ariCertId: true, domains: true },
    });
  }

  async retire(tx: Tx, siteId: string, revokedAt?: Date): Promise<void> {
    await tx.certificate.updateMany({ where: { siteId, current: true }, data: { current: false, ...(revokedAt ? { revokedAt } : {}) } });
  }
}
