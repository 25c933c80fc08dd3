import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { PageLimit } from '../core/paging/page-limit.js';
import { NOTICE_STATUSES } from './notices/notice-states.js';
import type { NoticeStatus } from './notices/notice-states.js';
import { ACCEPTED_NOTICE_TYPES, ACTIONS_TAKEN, LEGACY_NOTICE_TYPES, NOTICE_TYPES, OUTCOMES, SENDER_ROLES } from './notices/notice-types.js';
import type { ActionTaken, NoticeType, Outcome } from './notices/notice-types.js';

export const CASE_STATUSES = ['open', 'in_review', 'cleared', 'action_required', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_KINDS = ['screening', 'checkin', 'notice'] as const;
export const LANGUAGES = ['en', 'es'] as const;

export class ListCasesQuery {
  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiPropertyOptional({ enum: CASE_KINDS })
  @IsOptional()
  @IsIn(CASE_KINDS)
  kind?: (typeof CASE_KINDS)[number];

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

  @ApiPropertyOptional({ description: 'advice to the member; the member sees it and is told by mail' })
  @IsOptional()
  @IsString()
  @Length(0, 20000)
  advice?: string;
}

export class CreateNoticeDto {
  @ApiProperty({ enum: NOTICE_TYPES, description: `Lumen's types; the first version's names (${Object.keys(LEGACY_NOTICE_TYPES).join(', ')}) are still accepted` })
  @IsIn(ACCEPTED_NOTICE_TYPES)
  type!: string;

  @ApiProperty({ description: 'when the notice arrived (ISO 8601)' })
  @IsDateString()
  received!: string;

  @ApiPropertyOptional({ description: 'reply or comply-by date (ISO 8601); by default from the type (24 h for government requests, 14 days for a counter-notice…)' })
  @IsOptional()
  @IsDateString()
  deadline?: string;

  @ApiPropertyOptional({ description: 'who sent it; never published' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  sender?: string;

  @ApiPropertyOptional({ enum: SENDER_ROLES })
  @IsOptional()
  @IsIn(SENDER_ROLES)
  senderRole?: (typeof SENDER_ROLES)[number];

  @ApiPropertyOptional({ description: 'country or court, e.g. "US", "ES", "EU"' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  jurisdiction?: string;

  @ApiPropertyOptional({ enum: OUTCOMES, description: 'a notice recorded with an outcome other than pending is recorded as resolved' })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: Outcome;

  @ApiPropertyOptional({ enum: ACTIONS_TAKEN })
  @IsOptional()
  @IsIn(ACTIONS_TAKEN)
  actionTaken?: ActionTaken;

  @ApiPropertyOptional({ description: 'gag order: hidden from the member and the public until this review date (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  gaggedUntil?: string;

  @ApiPropertyOptional({ description: 'list it, redacted, on the transparency page' })
  @IsOptional()
  @IsBoolean()
  publish?: boolean;

  @ApiPropertyOptional({ description: 'delayed publication: not public before this moment (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  publishAfter?: string;

  @ApiPropertyOptional({ description: 'what the public may read; names, e-mails, phone numbers and domains are redacted on publication' })
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  summary?: string;

  @ApiPropertyOptional({ description: 'internal notes; never shown to members or the public' })
  @IsOptional()
  @IsString()
  @Length(0, 20000)
  notes?: string;
}

export class UpdateNoticeDto {
  @ApiPropertyOptional({ description: 'gag review date (ISO 8601), or null to lift the gag now', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsDateString()
  gaggedUntil?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  publish?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsDateString()
  publishAfter?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  summary?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsDateString()
  deadline?: string;

  @ApiPropertyOptional({ enum: SENDER_ROLES })
  @IsOptional()
  @IsIn(SENDER_ROLES)
  senderRole?: (typeof SENDER_ROLES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  jurisdiction?: string;
}

export class TransitionNoticeDto {
  @ApiProperty({ enum: NOTICE_STATUSES })
  @IsIn(NOTICE_STATUSES)
  to!: NoticeStatus;

  @ApiPropertyOptional({ enum: OUTCOMES.filter((o) => o !== 'pending'), description: 'required when resolving' })
  @IsOptional()
  @IsIn(OUTCOMES.filter((o) => o !== 'pending'))
  outcome?: Exclude<Outcome, 'pending'>;

  @ApiPropertyOptional({ enum: ACTIONS_TAKEN, description: 'when resolving; by default from the outcome' })
  @IsOptional()
  @IsIn(ACTIONS_TAKEN)
  actionTaken?: ActionTaken;

  @ApiPropertyOptional({ description: 'internal note kept with the notice' })
  @IsOptional()
  @IsString()
  @Length(1, 5000)
  note?: string;
}

export class ListNoticesQuery {
  @ApiPropertyOptional({ enum: NOTICE_STATUSES })
  @IsOptional()
  @IsIn(NOTICE_STATUSES)
  status?: NoticeStatus;

  @ApiPropertyOptional({ enum: NOTICE_TYPES })
  @IsOptional()
  @IsIn(NOTICE_TYPES)
  type?: NoticeType;

  @PageLimit(500)
  limit?: number;
}

export class CreateCheckinDto {
  @ApiProperty({ description: 'what the campaign will do, in the member’s words' })
  @IsString()
  @Length(10, 20000)
  description!: string;

  @ApiPropertyOptional({ description: 'links or notes about the materials (mock-ups, texts, documents)' })
  @IsOptional()
  @IsString()
  @Length(0, 20000)
  materials?: string;

  @ApiPropertyOptional({ description: 'planned launch (ISO 8601)' })
  @IsOptional()
  @IsDateString()
  launchDate?: string;

  @ApiPropertyOptional({ enum: LANGUAGES })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: (typeof LANGUAGES)[number];
}

export class ScreenDto {
  @ApiProperty()
  @IsString()
  @Length(0, 20000)
  description!: string;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 253, { each: true })
  domains!: string[];

  @ApiPropertyOptional({ enum: LANGUAGES, description: 'language of the reasons; detected from the description when absent' })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: (typeof LANGUAGES)[number];

  @ApiPropertyOptional({ type: [String], description: "campaign tags, as a site's campaign has them (a 'parody' tag says the campaign is one)" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  tags?: string[];
}

export class PublishCanaryDto {
  @ApiProperty({ description: 'the statement, e.g. "We have received no secret orders…"' })
  @IsString()
  @Length(20, 10000)
  statement!: string;

  @ApiPropertyOptional({ description: 'days until it lapses; CANARY_VALID_DAYS by default' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366)
  validDays?: number;
}
