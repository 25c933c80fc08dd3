import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { CreateMemberDto, MemberView } from './member.dto.js';
import { MembersService } from './members.service.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/members')
@Roles('staff')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Post()
  @ApiCreatedResponse({ type: MemberView })
  create(@CurrentActor() actor: Actor, @Body() body: CreateMemberDto): Promise<MemberView> {
    return this.members.create(actor, body);
  }

  @Get()
  @ApiOkResponse({ type: [MemberView] })
  list(): Promise<MemberView[]> {
    return this.members.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: MemberView })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<MemberView> {
    return this.members.get(id);
  }
}
