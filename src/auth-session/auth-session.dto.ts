import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { LANGUAGES } from '../ui/catalog.js';

export class SignInLinkDto {
  @ApiProperty({ example: 'tech@climate.example', description: "a member's contact address, or an address in STAFF_EMAILS / LEGAL_EMAILS" })
  @IsEmail()
  @Length(3, 254)
  email!: string;

  @ApiPropertyOptional({ enum: LANGUAGES, description: "the mail's language; without it, the browser's Accept-Language" })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: string;
}

export class RedeemLinkDto {
  @ApiProperty({ description: 'the token from the mailed link' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/)
  token!: string;
}

export class PasskeyAnswerDto {
  @ApiProperty()
  @IsUUID()
  challengeId!: string;

  @ApiProperty({ description: "the browser's WebAuthn answer (JSON, as @simplewebauthn/browser gives it)" })
  @IsObject()
  response!: Record<string, unknown>;
}

export class SessionInfoView {
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ['staff', 'member', 'legal'] }) role!: string;
  @ApiPropertyOptional() memberId?: string;
  @ApiProperty({ description: 'send it back in X-CSRF-Token with every change made through this session' }) csrfToken!: string;
}
