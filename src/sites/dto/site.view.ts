import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class RenewalWindowView {
  @ApiProperty() start!: Date;
  @ApiProperty() end!: Date;
  @ApiPropertyOptional({ description: "the CA's explanation, when it moved the window" }) explanationUrl?: string;
}

export class HttpsPosture {
  @ApiProperty({ enum: ['none', 'pending', 'active', 'failed'] }) status!: string;
  @ApiPropertyOptional() notAfter?: Date;
  @ApiPropertyOptional() lastError?: string;
  @ApiProperty() hsts!: boolean;
  @ApiPropertyOptional({ description: 'the CA profile chosen for this site (none: ACME_DEFAULT_PROFILE)' }) profile?: string;
  @ApiPropertyOptional({ type: RenewalWindowView, description: 'the renewal window the CA suggests (ACME Renewal Information)' }) renewalWindow?: RenewalWindowView;
  @ApiPropertyOptional({ description: 'serial of the certificate a TLS handshake to the site last received' }) servedSerial?: string;
  @ApiPropertyOptional({ description: 'when the newest certificate was last proved served' }) verifiedAt?: Date;
}

export class LoggingPosture {
  @ApiProperty({ enum: ['off', 'anonymized', 'full'] }) mode!: string;
  @ApiProperty() retentionDays!: number;
  @ApiPropertyOptional() lastPurgedAt?: Date;
  @ApiPropertyOptional({ enum: ['off', 'anonymized', 'full'], description: "the mode the site's host runs now (its nginx reloaded with it)" }) inForce?: string;
  @ApiProperty({ description: 'true until the host runs the mode asked for' }) pending!: boolean;
}

export class BackupPosture {
  @ApiProperty() enabled!: boolean;
  @ApiPropertyOptional({ enum: ['provider', 'member'] }) keyCustody?: string;
  @ApiPropertyOptional() schedule?: string;
  @ApiPropertyOptional() lastSuccessAt?: Date;
  @ApiPropertyOptional() nextRunAt?: Date;
}

export class LegalPosture {
  @ApiProperty({ description: 'open review cases' }) openCases!: number;
  @ApiPropertyOptional() highestRisk?: number;
  @ApiProperty() notices!: number;
}

export class DefencePosture {
  @ApiProperty({ enum: ['off', 'guarded', 'challenge'] }) level!: string;
  @ApiPropertyOptional({ description: 'when the level switches itself off' }) until?: Date;
  @ApiProperty({ type: [String] }) exemptPaths!: string[];
  @ApiProperty({ type: [String], description: 'trusted upstream shield ranges; empty = not behind a shield' }) shieldRanges!: string[];
}

export class Posture {
  @ApiProperty({ type: HttpsPosture }) https!: HttpsPosture;
  @ApiProperty({ type: LoggingPosture }) logging!: LoggingPosture;
  @ApiProperty({ type: BackupPosture }) backups!: BackupPosture;
  @ApiProperty({ type: LegalPosture }) legal!: LegalPosture;
  @ApiProperty({ type: DefencePosture }) defence!: DefencePosture;
}

export class CampaignView {
  @ApiProperty() description!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
}

export class SiteView {
  @ApiProperty() id!: string;
  @ApiProperty() memberId!: string;
  @ApiProperty({ type: [String] }) domains!: string[];
  @ApiProperty() documentRoot!: string;
  @ApiPropertyOptional({ type: CampaignView }) campaign?: CampaignView;
  @ApiProperty({ description: 'the web host serving the site (GET /api/hosts/:id)' }) hostId!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Posture }) posture!: Posture;
}

export class CreatedSiteView extends SiteView {
  @ApiProperty({ description: 'the operation that installs the new site in nginx' }) operationId!: string;
}

export class SitePage {
  @ApiProperty({ type: [SiteView] }) items!: SiteView[];
  @ApiPropertyOptional() nextCursor?: string;
}
