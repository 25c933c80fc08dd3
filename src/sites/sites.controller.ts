import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { CreateSiteDto, ListSitesQuery } from './dto/site.dto.js';
import { CreatedSiteView, SitePage, SiteView } from './dto/site.view.js';
import { SitesService } from './sites.service.js';

@ApiTags('sites')
@ApiBearerAuth()
@Controller('api/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @Roles('staff')
  @ApiCreatedResponse({ type: CreatedSiteView })
  create(@CurrentActor() actor: Actor, @Body() body: CreateSiteDto): Promise<CreatedSiteView> {
    return this.sites.create(actor, body);
  }

  @Get()
  @Roles('staff', 'legal', 'member')
  @ApiOkResponse({ type: SitePage })
  list(@CurrentActor() actor: Actor, @Query() query: ListSitesQuery): Promise<SitePage> {
    return this.sites.list(actor, query);
  }

  @Get(':id')
  @Roles('staff', 'legal', 'member')
  @ApiOkResponse({ type: SiteView })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<SiteView> {
    return this.sites.get(actor, id);
  }
}
