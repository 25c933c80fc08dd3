import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { AuditService } from '../core/audit/audit.service.js';
import { TokenService } from '../core/auth/token.service.js';
import { CreatedTokenView, CreateTokenDto } from './token.dto.js';

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
    const created = await this.tokens.create(body.role, body.memberId, body.label);
    await this.audit.record(actor, {
      action: 'token.create',
      targetType: 'token',
      targetId: created.id,
      changes: { role: body.role, memberId: body.memberId ?? null },
    });
    return created;
  }
}
