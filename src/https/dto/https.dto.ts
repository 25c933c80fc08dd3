import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

export class EnableHttpsDto {
  @ApiPropertyOptional({ description: 'send Strict-Transport-Security (max-age two years)', default: false })
  @IsOptional()
  @IsBoolean()
  hsts?: boolean;

  @ApiPropertyOptional({ enum: ['ecdsa', 'rsa'], description: 'certificate key type (default ACME_KEY_TYPE, ecdsa P-256)' })
  @IsOptional()
  @IsIn(['ecdsa', 'rsa'])
  keyType?: 'ecdsa' | 'rsa';
}

export class DisableHttpsQuery {
  @ApiPropertyOptional({ description: 'also revoke the current certificate at the CA', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean()
  revoke?: boolean;
}
