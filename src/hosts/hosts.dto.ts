import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class CreateHostDto {
  @ApiProperty({ example: 'web2', description: 'a short name: letters, digits, dots, dashes' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, { message: 'name must be 1-63 letters, digits, dots or dashes, starting with a letter or digit' })
  name!: string;
}

export class HostViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['online', 'offline', 'never-seen'] }) status!: string;
  @ApiPropertyOptional() lastSeenAt?: Date;
  @ApiPropertyOptional() agentVersion?: string;
  @ApiProperty() siteCount!: number;
  @ApiProperty({ description: "sum of its sites' desired revisions" }) desiredRevision!: number;
  @ApiProperty({ description: "sum of the revisions its agent reported applied" }) appliedRevision!: number;
  @ApiProperty({ description: 'sites whose applied revision is behind' }) lagging!: number;
}

export class HostPageDto {
  @ApiProperty({ type: [HostViewDto] }) items!: HostViewDto[];
}
