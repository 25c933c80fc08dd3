import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../core/auth/auth.decorators.js';
import { projectRoot } from '../core/database/migrator.js';
import { AppException } from '../core/errors/app.exception.js';

const TYPES: Record<string, string> = { 'app.js': 'text/javascript', 'app.css': 'text/css' };
const STATIC_DIR = join(projectRoot(), 'src', 'ui', 'static');

/** The small web page over the API. Static files only; the page keeps the token in the tab. */
@ApiExcludeController()
@Controller()
@Public()
export class UiController {
  private readonly files = new Map(['index.html', ...Object.keys(TYPES)].map((name) => [name, readFileSync(join(STATIC_DIR, name), 'utf8')]));

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'")
  index(): string {
    return this.files.get('index.html')!;
  }

  @Get('ui/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const type = TYPES[file];
    if (!type) throw AppException.notFound('file');
    response.type(type).set('Content-Security-Policy', "default-src 'self'").send(this.files.get(file));
  }
}
