import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Public, Roles } from '../core/auth/auth.decorators.js';
import { CreateNoticeDto, ListCasesQuery, UpdateCaseDto } from './legal.dto.js';
import { LegalService } from './legal.service.js';

@ApiTags('legal')
@ApiBearerAuth()
@Controller('api')
export class LegalController {
  constructor(private readonly legal: LegalService) {}

  @Get('legal/cases')
  @Roles('staff', 'legal')
  listCases(@Query() query: ListCasesQuery) {
    return this.legal.listCases(query);
  }

  @Patch('legal/cases/:id')
  @Roles('staff', 'legal')
  updateCase(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateCaseDto) {
    return this.legal.updateCase(actor, id, body);
  }

  @Post('sites/:id/legal-notices')
  @Roles('staff', 'legal')
  recordNotice(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) siteId: string, @Body() body: CreateNoticeDto) {
    return this.legal.recordNotice(actor, siteId, body);
  }

  @Get('transparency')
  @Public()
  transparency() {
    return this.legal.transparency();
  }
}
