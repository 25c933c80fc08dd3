import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Identity } from '../core/auth/session.service.js';
import { PrismaService } from '../core/database/prisma.service.js';

export interface NamedIdentity extends Identity {
  /** the member's name, for a link that says whose sites it opens */
  memberName?: string;
}

/**
 * Who may sign in with an address: staff and legal by the STAFF_EMAILS and
 * LEGAL_EMAILS settings, members by their contactEmail (one identity per member
 * that gives this address).
 */
@Injectable()
export class IdentityDirectory {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async byEmail(email: string): Promise<NamedIdentity[]> {
    const found: NamedIdentity[] = [];
    if (this.config.console.staffEmails.includes(email)) found.push({ email, role: 'staff' });
    if (this.config.console.legalEmails.includes(email)) found.push({ email, role: 'legal' });
    const members = await this.prisma.member.findMany({
      where: { contactEmail: { equals: email, mode: 'insensitive' } },
      select: { id: true, name: true },
      orderBy: { createdAt: 'asc' },
      take: 20,
    });
    for (const member of members) found.push({ email, role: 'member', memberId: member.id, memberName: member.name });
    return found;
  }
}
