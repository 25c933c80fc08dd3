import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { IsDateString, IsIn, IsOptional } from 'class-validator';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { DEFAULT_PAGE_LIMIT, PageLimit } from '../core/paging/page-limit.js';

class OperationView {
  @ApiProperty() id!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed'] }) status!: string;
  @ApiPropertyOptional() siteId?: string;
  @ApiPropertyOptional({ description: 'why it failed, in words a person can act on' }) error?: string;
  @ApiPropertyOptional({ description: 'why a queued operation is not running yet, e.g. "waiting for host web2 (offline since …)"' }) waitingFor?: string;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional() startedAt?: Date;
  @ApiPropertyOptional() finishedAt?: Date;
}

class ListOperationsQuery {
  @ApiPropertyOptional({ enum: ['active', 'failed', 'succeeded'], description: 'active = queued or running (default)' })
  @IsOptional()
  @IsIn(['active', 'failed', 'succeeded'])
  state?: 'active' | 'failed' | 'succeeded';

  @PageLimit(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'createdAt of the last operation of the previous page' })
  @IsOptional()
  @IsDateString()
  before?: string;
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @Roles('staff')
  @ApiOkResponse({ type: [OperationView] })
  list(@Query() query: ListOperationsQuery) {
    const state = query.state ?? 'active';
    return this.operations.list({
      statuses: state === 'active' ? ['queued', 'running'] : [state],
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      before: query.before ? new Date(query.before) : undefined,
    });
  }

  @Get(':id')
  @Roles('staff', 'member', 'legal')
  @ApiOkResponse({ type: OperationView })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.operations.get(actor, id);
  }
}
