import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { AuditService } from '../core/audit/audit.service.js';
import { TokenService } from '../core/auth/token.service.js';
import { CreatedTokenView, CreateTokenDto, TokenListView } from './token.dto.js';

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('api/tokens')
@Roles('staff')
export class TokensController {
  constructor(
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedTokenView })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateTokenDto): Promise<CreatedTokenView> {
    const created = await this.tokens.create(body.role, body.memberId, body.label, body.expiresInDays);
    await this.audit.record(actor, {
      action: 'token.create',
      targetType: 'token',
      targetId: created.id,
      changes: { role: body.role, memberId: body.memberId ?? null, expiresAt: created.expiresAt ?? null },
    });
    return created;
  }

  @Get()
  @ApiOkResponse({ type: TokenListView })
  async list(): Promise<TokenListView> {
    return { items: await this.tokens.list() };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'revoked: the token is refused from now on' })
  async revoke(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.tokens.revoke(actor, id);
  }
}
