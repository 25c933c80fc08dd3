import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Public, Roles } from '../core/auth/auth.decorators.js';
import { CanaryService } from './canary/canary.service.js';
import { CheckinsService } from './checkins/checkins.service.js';
import {
  CreateCheckinDto,
  CreateNoticeDto,
  ListCasesQuery,
  ListNoticesQuery,
  PublishCanaryDto,
  ScreenDto,
  TransitionNoticeDto,
  UpdateCaseDto,
  UpdateNoticeDto,
} from './legal.dto.js';
import { LegalService } from './legal.service.js';
import { NoticesService } from './notices/notices.service.js';
import { screenCampaign } from './screening/screener.js';
import { toCsv, TransparencyService } from './transparency/transparency.service.js';

@ApiTags('legal')
@ApiBearerAuth()
@Controller('api')
export class LegalController {
  constructor(
    private readonly legal: LegalService,
    private readonly notices: NoticesService,
    private readonly checkins: CheckinsService,
    private readonly canary: CanaryService,
    private readonly transparencyReport: TransparencyService,
  ) {}

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

  @Post('legal/screen')
  @HttpCode(200)
  @Roles('staff', 'legal')
  @ApiOkResponse({ description: '{flagged, score, reasons[], language, flags[{category, weight, evidence[], reason}]}' })
  screen(@Body() body: ScreenDto) {
    return screenCampaign(body);
  }

  @Post('sites/:id/legal-checkins')
  @Roles('staff', 'member')
  checkIn(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) siteId: string, @Body() body: CreateCheckinDto) {
    return this.checkins.create(actor, siteId, body);
  }

  @Get('sites/:id/legal-checkins')
  @Roles('staff', 'legal', 'member')
  listCheckins(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) siteId: string) {
    return this.checkins.list(actor, siteId);
  }

  @Post('sites/:id/legal-notices')
  @Roles('staff', 'legal')
  recordNotice(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) siteId: string, @Body() body: CreateNoticeDto) {
    return this.notices.record(actor, siteId, body);
  }

  @Get('sites/:id/legal-notices')
  @Roles('staff', 'legal', 'member')
  siteNotices(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) siteId: string) {
    return this.notices.forSite(actor, siteId);
  }

  @Get('legal/notices')
  @Roles('staff', 'legal')
  listNotices(@Query() query: ListNoticesQuery) {
    return this.notices.list(query);
  }

  @Patch('legal/notices/:id')
  @Roles('staff', 'legal')
  updateNotice(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateNoticeDto) {
    return this.notices.update(actor, id, body);
  }

  @Post('legal/notices/:id/transitions')
  @HttpCode(200)
  @Roles('staff', 'legal')
  transition(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: TransitionNoticeDto) {
    return this.notices.transition(actor, id, body);
  }

  @Post('legal/canary')
  @Roles('staff')
  publishCanary(@CurrentActor() actor: Actor, @Body() body: PublishCanaryDto) {
    return this.canary.publish(actor, body);
  }

  @Get('canary')
  @Public()
  currentCanary() {
    return this.canary.current();
  }

  @Get('transparency')
  @Public()
  transparency() {
    return this.transparencyReport.report();
  }

  @Get('transparency.csv')
  @Public()
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'inline; filename="transparency.csv"')
  async transparencyCsv() {
    return toCsv(await this.transparencyReport.report());
  }
}
