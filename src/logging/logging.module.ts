import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { WebModule } from '../web/web.module.js';
import { LogPurgeService } from './log-purge.service.js';
import { LogRetentionService } from './log-retention.service.js';
import { LoggingController } from './logging.controller.js';
import { LoggingProcessor } from './logging.processor.js';
import { LoggingScheduler } from './logging.scheduler.js';
import { LoggingService } from './logging.service.js';

/** API half: the mode switch, and what the disk holds. */
@Module({ imports: [SitesModule], controllers: [LoggingController], providers: [LoggingService] })
export class LoggingModule {}

/** Worker half: apply + purge, and the retention sweep. */
@Module({ imports: [WebModule], providers: [LogPurgeService, LogRetentionService, LoggingProcessor, LoggingScheduler] })
export class LoggingWorkerModule {}
