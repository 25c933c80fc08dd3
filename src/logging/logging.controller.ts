import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { OperationAccepted } from '../operations/operation-accepted.dto.js';
import { AttestationView, DataHeldView, SetLoggingDto } from './dto/logging.dto.js';
import { LoggingService } from './logging.service.js';

@ApiTags('logging')
@ApiBearerAuth()
@Controller('api/sites/:id')
export class LoggingController {
  constructor(private readonly logging: LoggingService) {}

  @Put('logging')
  @HttpCode(202)
  @Roles('staff', 'member')
  @ApiAcceptedResponse({ type: OperationAccepted, description: 'render the mode into the site, then (off, anonymized) delete its existing logs' })
  set(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: SetLoggingDto): Promise<OperationAccepted> {
    return this.logging.setPolicy(actor, id, body);
  }

  @Get('data-held')
  @Roles('staff', 'member', 'legal')
  @ApiOkResponse({ type: DataHeldView, description: "what the host holds about this site's visitors right now, read from the disk" })
  dataHeld(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<DataHeldView> {
    return this.logging.dataHeld(actor, id);
  }

  @Get('attestations')
  @Roles('staff', 'member', 'legal')
  @ApiOkResponse({ type: [AttestationView], description: 'proofs of deletion, newest first' })
  attestations(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<AttestationView[]> {
    return this.logging.attestations(actor, id);
  }
}
