import { INestApplication, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { HttpExceptionFilter } from './core/errors/http-exception.filter.js';
import { MetricsService } from './core/metrics/metrics.service.js';
import { httpMetricsMiddleware } from './observability/http-metrics.middleware.js';
import { createValidationPipe } from './core/errors/validation.js';
import { wellFormedStrings } from './core/errors/json-strings.js';

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
}

/** Builds the application for ROLE; used by main.ts and by the e2e suites alike. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
    bufferLogs: false,
  });
  app.disable('x-powered-by');
  if (config.console.trustProxy) app.set('trust proxy', config.console.trustProxy);
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.useBodyParser('json', { limit: '256kb', reviver: wellFormedStrings });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  if (config.role !== 'worker') mountDocs(app);
  return app;
}

/** ROLE=agent: the agent alone, without an HTTP server. */
export async function createAgent(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: options.logger ?? ['log', 'warn', 'error'] });
  return app;
}

function mountDocs(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('hostkeeper')
      .setDescription('Security posture for the sites of a movement-run web host: HTTPS, no-logging mode, backups, legal review.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
