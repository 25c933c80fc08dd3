import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateIf } from 'class-validator';

export class CreateHostDto {
  @ApiProperty({ example: 'web2', description: 'a short name: letters, digits, dots, dashes' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, { message: 'name must be 1-63 letters, digits, dots or dashes, starting with a letter or digit' })
  name!: string;
}

export class UpdateHostDto {
  @ApiPropertyOptional({ nullable: true, example: 'tlsserver', description: "ACME profile for this host's sites that chose none (one the CA's directory offers); null = ACME_DEFAULT_PROFILE" })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'defaultProfile must be a profile name (lowercase letters, digits, dots, dashes)' })
  defaultProfile?: string | null;
}

export class HostViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['online', 'offline', 'never-seen'] }) status!: string;
  @ApiPropertyOptional() lastSeenAt?: Date;
  @ApiPropertyOptional() agentVersion?: string;
  @ApiPropertyOptional({ description: "ACME profile for its sites that chose none" }) defaultProfile?: string;
  @ApiProperty() siteCount!: number;
  @ApiProperty({ description: "sum of its sites' desired revisions" }) desiredRevision!: number;
  @ApiProperty({ description: "sum of the revisions its agent reported applied" }) appliedRevision!: number;
  @ApiProperty({ description: 'sites whose applied revision is behind' }) lagging!: number;
}

export class HostPageDto {
  @ApiProperty({ type: [HostViewDto] }) items!: HostViewDto[];
}
