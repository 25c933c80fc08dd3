import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { AuditService } from '../core/audit/audit.service.js';
import { DEFAULT_PAGE_LIMIT, PageLimit } from '../core/paging/page-limit.js';
import { SiteAccess } from '../sites/site-access.service.js';

class SiteHistoryQuery {
  @PageLimit(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'events older than this id (paging)' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/)
  before?: string;
}

/** A site's own audit trail, for whoever may see the site (the member for its own). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/sites/:id/history')
export class SiteHistoryController {
  constructor(
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
  ) {}

  @Get()
  @Roles('staff', 'legal', 'member')
  async list(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Query() query: SiteHistoryQuery) {
    await this.access.require(actor, id);
    return this.audit.list({
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      before: query.before !== undefined ? BigInt(query.before) : undefined,
      targetType: 'site',
      targetId: id,
    });
  }
}
