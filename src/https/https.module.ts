import { promises as fs } from 'node:fs';
import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { AcmeAdapter } from '../core/adapters/acme.adapter.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SitesModule } from '../sites/sites.module.js';
import { WebModule } from '../web/web.module.js';
import { AcmeAccountService } from './acme-account.service.js';
import { CertificateStore } from './certificate.store.js';
import { HttpsController } from './https.controller.js';
import { HttpsDisabler } from './https-disabler.service.js';
import { HttpsIssuer } from './https-issuer.service.js';
import { HttpsProcessor } from './https.processor.js';
import { HttpsScheduler } from './https.scheduler.js';
import { HttpsService } from './https.service.js';
import { HttpsSweep } from './https-sweep.service.js';
import { RateLimits } from './rate-limits.js';

/** API half: the one-click request and its undo. */
@Module({ imports: [SitesModule], controllers: [HttpsController], providers: [HttpsService] })
export class HttpsModule {}

/** Worker half: issuance, installation, renewal sweep, disable. */
@Module({
  imports: [WebModule, NotificationsModule],
  providers: [
    {
      provide: AcmeAdapter,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) =>
        new AcmeAdapter({
          directoryUrl: config.acme.directoryUrl,
          contactEmail: config.acme.contactEmail,
          caBundlePem: config.acme.caBundle ? await fs.readFile(config.acme.caBundle, 'utf8') : undefined,
        }),
    },
    AcmeAccountService,
    CertificateStore,
    RateLimits,
    HttpsIssuer,
    HttpsDisabler,
    HttpsSweep,
    HttpsProcessor,
    HttpsScheduler,
  ],
  exports: [HttpsSweep, HttpsIssuer],
})
export class HttpsWorkerModule {}
