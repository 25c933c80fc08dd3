import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Rows a list answers with when the request names no limit. */
export const DEFAULT_PAGE_LIMIT = 100;

/** The `limit` query field of every list: an integer from 1 to max, DEFAULT_PAGE_LIMIT when absent. */
export function PageLimit(max: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: max, default: DEFAULT_PAGE_LIMIT }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(max),
  );
}
