import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { AuditController } from './audit.controller.js';
import { SiteHistoryController } from './site-history.controller.js';

@Module({ imports: [SitesModule], controllers: [AuditController, SiteHistoryController] })
export class AuditModule {}
