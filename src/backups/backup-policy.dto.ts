import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CronExpressionParser } from 'cron-parser';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Max,
  Min,
  registerDecorator,
} from 'class-validator';

/** Five fields (minute hour day-of-month month day-of-week), as cron-parser reads them, in UTC. */
export function isFiveFieldCron(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 100) return false;
  if (value.trim().split(/\s+/).length !== 5) return false;
  try {
    CronExpressionParser.parse(value, { tz: 'UTC' }).next();
    return true;
  } catch {
    return false;
  }
}

function IsCron() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCron',
      target: target.constructor,
      propertyName,
      validator: {
        validate: isFiveFieldCron,
        defaultMessage: () => 'schedule must be a 5-field cron expression (minute hour day-of-month month day-of-week, UTC), e.g. "0 3 * * *"',
      },
    });
}

export class BackupPolicyDto {
  @ApiProperty({ description: 'false: no backups (existing copies stay unless deleteExisting is true)' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ example: '0 3 * * *', description: '5-field cron expression, UTC; default "0 3 * * *"' })
  @IsOptional()
  @IsCron()
  schedule?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 366, default: 7, description: 'keep the newest backup of each of the last N days' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(366)
  keepDaily?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 260, default: 4 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(260)
  keepWeekly?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 120, default: 6 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  keepMonthly?: number;

  @ApiPropertyOptional({
    enum: ['provider', 'member'],
    default: 'provider',
    description:
      'provider: restic repository whose password the host keeps (encrypted); the host can restore on its own, and anyone who seizes the host with its SECRETS_KEY can read the backups. ' +
      'member: each backup is encrypted to memberPublicKey; the host can make backups but never read them, and a restore needs the member private key.',
  })
  @IsOptional()
  @IsIn(['provider', 'member'])
  keyCustody?: 'provider' | 'member';

  @ApiPropertyOptional({ description: 'ASCII-armoured OpenPGP PUBLIC key; required for keyCustody "member" (kept from the previous policy if omitted)' })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  memberPublicKey?: string;

  @ApiPropertyOptional({ type: [String], example: ['/usr/local/bin/dump-site-db'], description: 'staff only: command (argument array, absolute program path) run in the document root before each backup; [] removes it' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(4096, { each: true })
  @Matches(/^[^\0]*$/, { each: true, message: 'hook arguments cannot contain NUL' })
  preBackupHook?: string[];

  @ApiPropertyOptional({ description: 'with enabled: false, delete every existing backup of the site (recorded in an attestation)' })
  @IsOptional()
  @IsBoolean()
  deleteExisting?: boolean;
}

export class RestoreDto {
  @ApiPropertyOptional({ description: 'member custody only: ASCII-armoured OpenPGP private key; used for this restore and never stored' })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  memberPrivateKey?: string;

  @ApiPropertyOptional({ description: 'passphrase of memberPrivateKey, if it has one; never stored' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  passphrase?: string;
}

export class BackupPolicyView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty() schedule!: string;
  @ApiProperty() keepDaily!: number;
  @ApiProperty() keepWeekly!: number;
  @ApiProperty() keepMonthly!: number;
  @ApiProperty({ enum: ['provider', 'member'] }) keyCustody!: 'provider' | 'member';
  @ApiPropertyOptional() memberKeyFingerprint?: string;
  @ApiProperty({ type: [String] }) preBackupHook!: string[];
  @ApiPropertyOptional() lastSuccessAt?: Date;
  @ApiPropertyOptional() nextRunAt?: Date;
  @ApiPropertyOptional({ description: 'the deletion of existing copies, when requested' }) deleteOperationId?: string;
}

export class BackupEntryView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['backup', 'restore', 'check', 'drill'] }) kind!: string;
  @ApiProperty({ enum: ['provider', 'member'] }) custody!: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) status!: string;
  @ApiPropertyOptional({ description: 'restic snapshot id, or the archive id (UTC timestamp) for member custody' }) snapshotId?: string;
  @ApiProperty() startedAt!: Date;
  @ApiPropertyOptional() finishedAt?: Date;
  @ApiPropertyOptional() files?: number;
  @ApiPropertyOptional({ description: 'bytes of the site (provider) or of the encrypted archive (member)' }) totalBytes?: number;
  @ApiPropertyOptional() bytesAdded?: number;
  @ApiPropertyOptional() durationMs?: number;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'set once retention or a deletion removed this backup' }) deletedAt?: Date;
}

export class BackupListView {
  @ApiProperty({ type: [BackupEntryView] }) items!: BackupEntryView[];
}

export class MoveSiteDto {
  @ApiProperty({ description: 'the host the site moves to' })
  @IsUUID()
  hostId!: string;
}
