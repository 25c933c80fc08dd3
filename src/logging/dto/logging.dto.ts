import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { LoggingModeName } from '../logging-directives.js';

export const LOGGING_MODES: readonly LoggingModeName[] = ['off', 'anonymized', 'full'];
export const MAX_RETENTION_DAYS = 90;

export class SetLoggingDto {
  @ApiProperty({
    enum: LOGGING_MODES,
    description:
      'off: no access log; anonymized: address cut to /24 (IPv4) or /48 (IPv6), no user agent, referrer or query string; full: combined log. Switching to off or anonymized deletes the existing logs.',
  })
  @IsIn(LOGGING_MODES)
  mode!: LoggingModeName;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_RETENTION_DAYS,
    description: 'days of per-day log files kept (full and anonymized); default DEFAULT_LOG_RETENTION_DAYS (7)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETENTION_DAYS)
  retentionDays?: number;
}

export class HeldFileView {
  @ApiProperty() name!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: 'first day the file covers (YYYY-MM-DD)' }) firstDay!: string;
  @ApiProperty({ description: 'last day the file covers (YYYY-MM-DD)' }) lastDay!: string;
  @ApiProperty() modifiedAt!: Date;
}

export class PurgedFileView {
  @ApiProperty() name!: string;
  @ApiProperty() bytes!: number;
  @ApiPropertyOptional({ description: 'true when the file was emptied in place instead of deleted' }) emptied?: boolean;
}

export class AttestationView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['logs.purge', 'logs.retention'] }) kind!: string;
  @ApiProperty({ description: 'token id of whoever asked, or "system" for the retention job' }) requestedBy!: string;
  @ApiProperty({ type: [PurgedFileView] }) files!: PurgedFileView[];
  @ApiProperty() fileCount!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() createdAt!: Date;
}

export class DataHeldView {
  @ApiProperty({ enum: LOGGING_MODES }) mode!: string;
  @ApiProperty() retentionDays!: number;
  @ApiProperty({ description: 'true when the disk holds no log byte about this site' }) nothingHeld!: boolean;
  @ApiProperty() fileCount!: number;
  @ApiProperty() bytes!: number;
  @ApiPropertyOptional({ description: 'oldest day any file covers' }) oldestDay?: string;
  @ApiPropertyOptional({ description: 'newest day any file covers' }) newestDay?: string;
  @ApiProperty({ type: [HeldFileView] }) files!: HeldFileView[];
  @ApiProperty() checkedAt!: Date;
  @ApiPropertyOptional({ type: AttestationView }) lastAttestation?: AttestationView;
}
