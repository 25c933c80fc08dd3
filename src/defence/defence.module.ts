import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { SitesModule } from '../sites/sites.module.js';
import { WebModule } from '../web/web.module.js';
import { DefenceApply } from './defence-apply.service.js';
import { DefenceController } from './defence.controller.js';
import { DefenceProcessor } from './defence.processor.js';
import { DefenceScheduler } from './defence.scheduler.js';
import { DefenceService } from './defence.service.js';
import { DefenceSweep } from './defence-sweep.service.js';

/** API half: the under-attack switch. */
@Module({ imports: [SitesModule], controllers: [DefenceController], providers: [DefenceService] })
export class DefenceModule {}

/** Worker half: rendering it into nginx, and the sweep that warns and lapses. */
@Module({ imports: [WebModule, NotificationsModule], providers: [DefenceApply, DefenceSweep, DefenceProcessor, DefenceScheduler], exports: [DefenceSweep] })
export class DefenceWorkerModule {}
