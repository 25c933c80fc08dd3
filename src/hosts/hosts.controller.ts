import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { CreateHostDto, HostPageDto, HostViewDto } from './hosts.dto.js';
import { HostsService, HostView } from './hosts.service.js';

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('api/hosts')
@Roles('staff')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

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

  @Get(':id')
  @ApiOkResponse({ type: HostViewDto })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<HostView> {
    return this.hosts.get(id);
  }
}
