import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../core/auth/auth.decorators.js';
import { AppException } from '../core/errors/app.exception.js';
import { Asset, loadAssets } from './ui-assets.js';

/** No inline script or style anywhere: everything the page runs comes from this origin's files. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The console: static files only; everything it shows comes from the API. */
@ApiExcludeController()
@Controller()
@Public()
export class UiController {
  private readonly assets = loadAssets();

  @Get()
  index(@Res() response: Response): void {
    send(response, this.assets.own.get('index.html'));
  }

  @Get('ui/vendor/:file')
  vendor(@Param('file') file: string, @Res() response: Response): void {
    send(response, this.assets.vendor.get(file));
  }

  @Get('ui/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    send(response, file === 'index.html' ? undefined : this.assets.own.get(file));
  }
}

function send(response: Response, asset: Asset | undefined): void {
  if (!asset) throw AppException.notFound('file');
  response
    .set({
      'Content-Type': asset.type,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    })
    .send(asset.body);
}
