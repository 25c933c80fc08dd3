import { Module } from '@nestjs/common';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SitesModule } from '../sites/sites.module.js';
import { CanaryService } from './canary/canary.service.js';
import { CheckinsService } from './checkins/checkins.service.js';
import { LegalClock } from './clock.js';
import { LegalService } from './legal.service.js';
import { NoticesService } from './notices/notices.service.js';
import { LegalSweepService } from './sweep/legal-sweep.service.js';
import { TransparencyService } from './transparency/transparency.service.js';

const SERVICES = [LegalClock, LegalService, NoticesService, CheckinsService, CanaryService, TransparencyService, LegalSweepService];

/** The legal desk's services and its one clock, shared by the API and the worker halves. */
@Module({ imports: [SitesModule, NotificationsModule], providers: [...SERVICES, PgpAdapter], exports: SERVICES })
export class LegalDeskModule {}
