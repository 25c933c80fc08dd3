import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { OperationAccepted } from '../operations/operation-accepted.dto.js';
import { CaaAdvisor } from './caa-advisor.service.js';
import { CaaAdviceView, DisableHttpsQuery, EnableHttpsDto } from './dto/https.dto.js';
import { HttpsService } from './https.service.js';

@ApiTags('https')
@ApiBearerAuth()
@Controller('api/sites/:id/https')
export class HttpsController {
  constructor(
    private readonly https: HttpsService,
    private readonly caaAdvisor: CaaAdvisor,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('staff', 'member')
  @ApiAcceptedResponse({ type: OperationAccepted, description: 'issue a certificate, install it, serve HTTPS and keep it renewed' })
  @ApiConflictResponse({ description: 'an HTTPS operation is already in progress; details.operationId names it' })
  @ApiBadRequestResponse({ description: "invalid body, or a profile the CA's directory does not offer (details.profile lists those it does)" })
  enable(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: EnableHttpsDto = {},
  ): Promise<OperationAccepted> {
    return this.https.requestEnable(actor, id, body ?? {});
  }

  @Get('caa')
  @Roles('staff', 'member')
  @ApiOkResponse({ type: CaaAdviceView, description: "whether DNS lets the CA issue for each name, and the CAA records that lock issuance to hostkeeper's account" })
  caa(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<CaaAdviceView> {
    return this.caaAdvisor.advise(actor, id);
  }

  @Delete()
  @HttpCode(202)
  @Roles('staff')
  @ApiAcceptedResponse({ type: OperationAccepted, description: 'stop serving HTTPS; ?revoke=true also revokes the certificate' })
  @ApiConflictResponse({ description: 'an HTTPS operation is already in progress; details.operationId names it' })
  disable(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: DisableHttpsQuery,
  ): Promise<OperationAccepted> {
    return this.https.requestDisable(actor, id, query.revoke ?? false);
  }
}
