import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageLimit } from '../core/paging/page-limit.js';

export const CASE_STATUSES = ['open', 'in_review', 'cleared', 'action_required', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const NOTICE_TYPES = ['cease_and_desist', 'dmca_takedown', 'subpoena', 'court_order', 'police_request', 'registrar_complaint', 'other'] as const;
export const NOTICE_OUTCOMES = ['pending', 'rejected', 'complied', 'partially_complied', 'withdrawn', 'challenged_in_court'] as const;

export class ListCasesQuery {
  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @PageLimit(500)
  limit?: number;
}

export class UpdateCaseDto {
  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiPropertyOptional({ description: 'case notes; never shown to members' })
  @IsOptional()
  @IsString()
  @Length(0, 20000)
  notes?: string;
}

export class CreateNoticeDto {
  @ApiProperty({ enum: NOTICE_TYPES })
  @IsIn(NOTICE_TYPES)
  type!: (typeof NOTICE_TYPES)[number];

  @ApiProperty({ description: 'when the notice arrived (ISO 8601)' })
  @IsDateString()
  received!: string;

  @ApiPropertyOptional({ description: 'reply or comply-by date (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  deadline?: string;

  @ApiPropertyOptional({ description: 'who sent it; never published' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  sender?: string;

  @ApiPropertyOptional({ enum: NOTICE_OUTCOMES })
  @IsOptional()
  @IsIn(NOTICE_OUTCOMES)
  outcome?: (typeof NOTICE_OUTCOMES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 20000)
  notes?: string;
}
