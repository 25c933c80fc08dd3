import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { CaProfiles } from '../https/ca-profiles.service.js';
import { CreateHostDto, HostPageDto, HostViewDto, UpdateHostDto } from './hosts.dto.js';
import { HostsService, HostView } from './hosts.service.js';

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('api/hosts')
@Roles('staff')
export class HostsController {
  constructor(
    private readonly hosts: HostsService,
    private readonly profiles: CaProfiles,
  ) {}

  /** Registers a web server; `npm run host:credentials -- --host <id>` then makes its agent's settings. */
  @Post()
  @ApiCreatedResponse({ type: HostViewDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateHostDto): Promise<HostView> {
    return this.hosts.create(actor, body.name);
  }

  @Get()
  @ApiOkResponse({ type: HostPageDto })
  list(): Promise<{ items: HostView[] }> {
    return this.hosts.list();
  }

  /** The default certificate profile of the host's sites (those that chose none); checked against the CA's directory. */
  @Patch(':id')
  @ApiOkResponse({ type: HostViewDto })
  async update(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateHostDto): Promise<HostView> {
    if (typeof body.defaultProfile === 'string') await this.profiles.assertOffered(body.defaultProfile);
    return this.hosts.update(actor, id, { ...(body.defaultProfile !== undefined ? { defaultProfile: body.defaultProfile } : {}) });
  }

  @Get(':id')
  @ApiOkResponse({ type: HostViewDto })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<HostView> {
    return this.hosts.get(id);
  }
}
