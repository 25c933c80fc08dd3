import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PROFILE_NAME } from '../../config/config.js';

export class EnableHttpsDto {
  @ApiPropertyOptional({ description: 'send Strict-Transport-Security (max-age two years)', default: false })
  @IsOptional()
  @IsBoolean()
  hsts?: boolean;

  @ApiPropertyOptional({ enum: ['ecdsa', 'rsa'], description: 'certificate key type (default ACME_KEY_TYPE, ecdsa P-256)' })
  @IsOptional()
  @IsIn(['ecdsa', 'rsa'])
  keyType?: 'ecdsa' | 'rsa';

  @ApiPropertyOptional({
    description: "certificate profile, one the CA's directory offers (Let's Encrypt: classic, tlsserver, shortlived); default: the site's previous choice, then ACME_DEFAULT_PROFILE",
    example: 'shortlived',
  })
  @IsOptional()
  @IsString()
  @Matches(PROFILE_NAME, { message: 'profile must be a profile name such as classic or shortlived' })
  profile?: string;
}

export class CaaRecordView {
  @ApiProperty() critical!: number;
  @ApiProperty({ example: 'issue' }) tag!: string;
  @ApiProperty({ example: 'letsencrypt.org' }) value!: string;
}

export class CaaDomainAdviceView {
  @ApiProperty() domain!: string;
  @ApiPropertyOptional({ description: 'the name whose CAA records apply (RFC 8659 tree climbing); absent when there are none' }) foundAt?: string;
  @ApiProperty({ type: [CaaRecordView] }) records!: CaaRecordView[];
  @ApiProperty({ description: 'the CA may issue for this name' }) allowsCa!: boolean;
  @ApiProperty({ description: "issuance is locked to hostkeeper's ACME account (RFC 8657 accounturi)" }) lockedToAccount!: boolean;
}

export class CaaAdviceView {
  @ApiProperty({ example: 'letsencrypt.org' }) caIdentity!: string;
  @ApiPropertyOptional({ description: "hostkeeper's ACME account URL at the CA" }) accountUri?: string;
  @ApiProperty({ type: [CaaDomainAdviceView] }) domains!: CaaDomainAdviceView[];
  @ApiProperty({ type: [String], description: 'the exact records to publish: this CA only, this account only, HTTP-01 only' }) recommended!: string[];
  @ApiPropertyOptional() note?: string;
}

export class DisableHttpsQuery {
  @ApiPropertyOptional({ description: 'also revoke the current certificate at the CA', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean()
  revoke?: boolean;
}
