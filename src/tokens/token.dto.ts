import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
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
}

export class CreatedTokenView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'shown once; only its hash is stored' }) token!: string;
}
