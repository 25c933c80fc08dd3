import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { isCidr, isExemptPath, type DefenceLevelName } from '../../web/defence.renderer.js';

export const DEFENCE_LEVELS: readonly DefenceLevelName[] = ['off', 'guarded', 'challenge'];
export const DEFAULT_DEFENCE_HOURS = 24;
export const MAX_DEFENCE_HOURS = 168;

const IsExemptPath = () =>
  ValidateBy(
    { name: 'isExemptPath', validator: { validate: (value) => typeof value === 'string' && isExemptPath(value), defaultMessage: () => 'each exempt path must be a URL path prefix such as /feed/ (letters, digits, . _ ~ - /; not / itself, not under /.well-known/)' } },
    { each: true },
  );

const IsCidr = () =>
  ValidateBy(
    { name: 'isCidr', validator: { validate: (value) => typeof value === 'string' && isCidr(value), defaultMessage: () => 'each shield range must be an IPv4 or IPv6 address with an optional /prefix' } },
    { each: true },
  );

export class SetDefenceDto {
  @ApiProperty({
    enum: DEFENCE_LEVELS,
    description:
      'off; guarded: per-address request and connection limits in nginx, answered 429; challenge: visitors without a pass solve a small proof of work once and get a signed pass cookie nginx checks on every request',
  })
  @IsIn(DEFENCE_LEVELS)
  level!: DefenceLevelName;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DEFENCE_HOURS, description: `hours until the level switches itself off (default ${DEFAULT_DEFENCE_HOURS}); the member is told an hour before` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DEFENCE_HOURS)
  hours?: number;

  @ApiPropertyOptional({ type: [String], maxItems: 20, example: ['/feed/', '/api/'], description: 'URL path prefixes never challenged (still rate-limited); absent = none' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsExemptPath()
  exemptPaths?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: 64,
    example: ['203.0.113.0/24', '2001:db8::/32'],
    description:
      "address ranges of an upstream protection service: its X-Forwarded-For is trusted and direct visits from anywhere else are refused (403); absent = none. Stays in force when the level lapses",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsCidr()
  shieldRanges?: string[];
}
