import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import type { ActorRole } from '../core/auth/actor.js';

export class CreateTokenDto {
  @ApiProperty({ enum: ['staff', 'member', 'legal'] })
  @IsIn(['staff', 'member', 'legal'])
  role!: ActorRole;

  @ApiPropertyOptional({ description: 'required for role member' })
  @IsOptional()
  @IsUUID()
  memberId?: string;

  @ApiPropertyOptional({ description: 'a note for people: whose token this is' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string;

  @ApiPropertyOptional({ description: 'the token is refused this many days after it was made; without it, it lasts until revoked', minimum: 1, maximum: 3650 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

export class CreatedTokenView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'shown once; only its hash is stored' }) token!: string;
  @ApiPropertyOptional() expiresAt?: Date;
}

export class TokenView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['staff', 'member', 'legal'] }) role!: ActorRole;
  @ApiPropertyOptional() memberId?: string;
  @ApiPropertyOptional() label?: string;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ description: 'to the minute' }) lastUsedAt?: Date;
  @ApiPropertyOptional() expiresAt?: Date;
}

export class TokenListView {
  @ApiProperty({ type: [TokenView], description: 'tokens neither revoked nor expired; never the token itself' }) items!: TokenView[];
}
