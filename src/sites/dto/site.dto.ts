import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { PageLimit } from '../../core/paging/page-limit.js';
import { normalizeDomain } from '../domain-name.js';

/** Each entry must pass normalizeDomain; the service stores the normalised form. */
function IsDomainList() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDomainList',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => Array.isArray(value) && value.every((d) => normalizeDomain(d).ok),
        defaultMessage: (args: ValidationArguments) => {
          const list = Array.isArray(args.value) ? (args.value as unknown[]) : [];
          const index = list.findIndex((d) => !normalizeDomain(d).ok);
          const check = normalizeDomain(list[index]);
          return `domains[${index}] ${check.ok ? '' : check.problem}`;
        },
      },
    });
}

export class CampaignDto {
  @ApiProperty({ example: 'A parody of the Acme Corp annual report' })
  @IsString()
  @Length(0, 5000)
  description!: string;

  @ApiProperty({ example: ['parody', 'spoof'], description: 'free tags; spoof, parody, leak and similar raise the legal risk' })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  @Matches(/^[a-z0-9][a-z0-9 _-]*$/i, { each: true, message: 'tags are letters, digits, spaces, - and _' })
  tags!: string[];
}

export class CreateSiteDto {
  @ApiProperty()
  @IsUUID()
  memberId!: string;

  @ApiPropertyOptional({ description: 'the web host to place the site on; default: the healthy host with the fewest sites' })
  @IsOptional()
  @IsUUID()
  hostId?: string;

  @ApiProperty({ example: ['climate-action.example', 'www.climate-action.example'], description: 'the first names the site' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsDomainList()
  domains!: string[];

  @ApiPropertyOptional({ type: CampaignDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CampaignDto)
  campaign?: CampaignDto;
}

export class ListSitesQuery {
  @PageLimit(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  memberId?: string;
}
