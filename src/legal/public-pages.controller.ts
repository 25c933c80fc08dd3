import { Controller, Get, Header, Headers, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Public } from '../core/auth/auth.decorators.js';
import { CanaryService } from './canary/canary.service.js';
import { renderCanaryPage } from './canary/canary-page.js';
import { PAGE_CSP, pickLanguage } from './transparency/html.js';
import { renderTransparencyPage } from './transparency/transparency-page.js';
import { TransparencyService } from './transparency/transparency.service.js';

/** The public pages: plain HTML, no JavaScript, English and Spanish (?lang=es or Accept-Language). */
@ApiTags('public')
@Controller()
@Public()
export class PublicPagesController {
  constructor(
    private readonly transparencyReport: TransparencyService,
    private readonly canary: CanaryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('transparency')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  async transparency(@Query('lang') lang: unknown, @Headers('accept-language') accept?: string) {
    return renderTransparencyPage(await this.transparencyReport.report(), pickLanguage(lang, accept), this.config.legal.hostName);
  }

  @Get('canary')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', PAGE_CSP)
  @Header('Cache-Control', 'no-cache')
  async canaryPage(@Query('lang') lang: unknown, @Headers('accept-language') accept?: string) {
    return renderCanaryPage(await this.canary.current(), pickLanguage(lang, accept));
  }

  @Get('canary.txt')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async canaryText() {
    return (await this.canary.current()).signed ?? '';
  }

  @Get('canary/key.asc')
  @Header('Content-Type', 'application/pgp-keys')
  async canaryKey() {
    return (await this.canary.current()).publicKey;
  }
}
