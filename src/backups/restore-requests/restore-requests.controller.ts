import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../core/auth/actor.js';
import { CurrentActor, Roles } from '../../core/auth/auth.decorators.js';
import { chosenLanguage } from '../../ui/catalog.js';
import { CreateRestoreRequestDto, DeclineRestoreRequestDto, RestoreRequestQuery, RestoreRequestView } from './restore-request.dto.js';
import { RestoreRequestsService } from './restore-requests.service.js';

@ApiTags('backups')
@ApiBearerAuth()
@Controller('api')
export class RestoreRequestsController {
  constructor(private readonly requests: RestoreRequestsService) {}

  @Post('sites/:id/restore-requests')
  @Roles('staff', 'member')
  @ApiOperation({
    summary: 'Ask for a restore of one of the site’s backups',
    description:
      'Provider custody: the request waits for staff (status "requested"; staff are mailed) and one open request per site is allowed. ' +
      'Member custody: only the member private key opens the archive, so it is sent here (memberPrivateKey, passphrase?) and the restore starts at once (status "restoring", operationId); ' +
      'the key travels sealed in the job data only and is never stored.',
  })
  @ApiCreatedResponse({ type: RestoreRequestView })
  @ApiNotFoundResponse({ description: 'no such site, or no kept backup with this snapshotId on it' })
  @ApiConflictResponse({ description: 'a request already waits for staff, or a backup, restore or deletion is under way' })
  create(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateRestoreRequestDto,
    @Headers('accept-language') acceptLanguage?: string,
  ): Promise<RestoreRequestView> {
    return this.requests.create(actor, id, body, chosenLanguage(body.language, acceptLanguage));
  }

  @Get('sites/:id/restore-requests')
  @Roles('staff', 'member')
  @ApiOkResponse({ type: [RestoreRequestView] })
  listForSite(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<RestoreRequestView[]> {
    return this.requests.listForSite(actor, id);
  }

  @Get('restore-requests')
  @Roles('staff')
  @ApiOperation({ summary: 'Restore requests of every site, oldest first; by default the open ones' })
  @ApiOkResponse({ type: [RestoreRequestView] })
  list(@Query() query: RestoreRequestQuery): Promise<RestoreRequestView[]> {
    return this.requests.list(query.status);
  }

  @Post('restore-requests/:requestId/fulfil')
  @Roles('staff')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Restore now: starts the restore operation and links it to the request' })
  @ApiOkResponse({ type: RestoreRequestView })
  @ApiConflictResponse({ description: 'already decided, the backup is no longer kept, or a backup, restore or deletion is under way' })
  fulfil(@CurrentActor() actor: Actor, @Param('requestId', new ParseUUIDPipe()) requestId: string): Promise<RestoreRequestView> {
    return this.requests.fulfil(actor, requestId);
  }

  @Post('restore-requests/:requestId/decline')
  @Roles('staff')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: RestoreRequestView })
  decline(@CurrentActor() actor: Actor, @Param('requestId', new ParseUUIDPipe()) requestId: string, @Body() body: DeclineRestoreRequestDto): Promise<RestoreRequestView> {
    return this.requests.decline(actor, requestId, body);
  }
}
