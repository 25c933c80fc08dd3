import { Injectable } from '@nestjs/common';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { AppException } from '../core/errors/app.exception.js';
import type { CreateMemberDto, MemberView } from './member.dto.js';

const MEMBER_FIELDS = { id: true, name: true, contactEmail: true, createdAt: true } as const;

@Injectable()
export class MembersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  create(actor: Actor, input: CreateMemberDto): Promise<MemberView> {
    return this.prisma.$transaction(async (tx) => {
      const member = await tx.member.create({ data: input, select: MEMBER_FIELDS });
      await this.audit.record(actor, { action: 'member.create', targetType: 'member', targetId: member.id, changes: { name: input.name } }, tx);
      return member;
    });
  }

  list(): Promise<MemberView[]> {
    return this.prisma.member.findMany({ select: MEMBER_FIELDS, orderBy: { createdAt: 'asc' } });
  }

  async get(id: string): Promise<MemberView> {
    const member = await this.prisma.member.findUnique({ where: { id }, select: MEMBER_FIELDS });
    if (!member) throw AppException.notFound('member');
    return member;
  }
}
