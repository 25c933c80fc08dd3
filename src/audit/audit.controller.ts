import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { AuditService } from '../core/audit/audit.service.js';
import { Roles } from '../core/auth/auth.decorators.js';
import { DEFAULT_PAGE_LIMIT, PageLimit } from '../core/paging/page-limit.js';

class AuditQuery {
  @PageLimit(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'events older than this id (paging)' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/)
  before?: string;

  @ApiPropertyOptional({ example: 'site' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_]{1,40}$/)
  targetType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,64}$/)
  targetId?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
@Roles('staff')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: AuditQuery) {
    return this.audit.list({
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      before: query.before !== undefined ? BigInt(query.before) : undefined,
      targetType: query.targetType,
      targetId: query.targetId,
    });
  }
}
