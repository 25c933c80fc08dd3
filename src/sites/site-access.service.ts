import { Injectable } from '@nestjs/common';
import type { Actor } from '../core/auth/actor.js';
import { PrismaService, Tx } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';

/**
 * The one rule for reaching a site: staff and legal see every site, a member
 * only its own. Anything else is "not found", never "forbidden", so a member
 * learns nothing about sites that are not theirs.
 */
@Injectable()
export class SiteAccess {
  constructor(private readonly prisma: PrismaService) {}

  scope(actor: Actor): { memberId?: string } {
    if (actor.role === 'staff' || actor.role === 'legal' || actor.role === 'system') return {};
    return { memberId: actor.memberId ?? '00000000-0000-0000-0000-000000000000' };
  }

  async require(actor: Actor, siteId: string, tx: Tx = this.prisma) {
    const site = await tx.site.findFirst({ where: { id: siteId, ...this.scope(actor) } });
    if (!site) throw AppException.notFound('site');
    return site;
  }
}
