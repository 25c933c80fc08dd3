import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { LANGUAGES } from '../../ui/catalog.js';
import { RestoreDto } from '../backup-policy.dto.js';

export const REQUEST_STATES = ['requested', 'started', 'declined'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export class CreateRestoreRequestDto extends RestoreDto {
  @ApiProperty({ description: 'the snapshotId of one of the site’s kept backups (GET /api/sites/:id/backups)' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  snapshotId!: string;

  @ApiPropertyOptional({ description: 'a word for staff: what went wrong, what to keep in mind' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ enum: LANGUAGES, description: "the language of the member's mails about this request (what staff decided); without it, the browser's Accept-Language" })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: string;
}

export class DeclineRestoreRequestDto {
  @ApiPropertyOptional({ description: 'why, in words the member will read' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class RestoreRequestQuery {
  @ApiPropertyOptional({ enum: REQUEST_STATES, default: 'requested' })
  @IsOptional()
  @IsIn(REQUEST_STATES)
  status?: RequestState;
}

export class RestoreRequestView {
  @ApiProperty() id!: string;
  @ApiProperty() siteId!: string;
  @ApiPropertyOptional({ description: 'in the staff list: the site’s first domain' }) primaryDomain?: string;
  @ApiProperty() snapshotId!: string;
  @ApiProperty({ description: 'when the backup was taken' }) snapshotAt!: Date;
  @ApiProperty({ enum: ['provider', 'member'] }) custody!: string;
  @ApiProperty({
    enum: ['requested', 'restoring', 'restored', 'failed', 'declined'],
    description: 'requested: waits for staff; restoring / restored / failed: the linked restore operation; declined: staff said no (reason says why)',
  })
  status!: 'requested' | 'restoring' | 'restored' | 'failed' | 'declined';
  @ApiPropertyOptional() note?: string;
  @ApiPropertyOptional({ description: 'the restore operation (GET /api/operations/:id)' }) operationId?: string;
  @ApiPropertyOptional({ description: 'why the restore operation failed' }) error?: string;
  @ApiPropertyOptional({ description: 'why staff declined' }) reason?: string;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional() decidedAt?: Date;
}
