import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { OperationAccepted } from '../operations/operation-accepted.dto.js';
import { SetDefenceDto } from './dto/defence.dto.js';
import { DefenceService } from './defence.service.js';

@ApiTags('defence')
@ApiBearerAuth()
@Controller('api/sites/:id')
export class DefenceController {
  constructor(private readonly defence: DefenceService) {}

  @Put('defence')
  @HttpCode(202)
  @Roles('staff', 'member')
  @ApiAcceptedResponse({ type: OperationAccepted, description: "under-attack mode: render the level and shield into the site's nginx file; shown in posture.defence" })
  set(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: SetDefenceDto): Promise<OperationAccepted> {
    return this.defence.set(actor, id, body);
  }
}
