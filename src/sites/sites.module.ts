import { Module } from '@nestjs/common';
import { SiteAccess } from './site-access.service.js';
import { SitesController } from './sites.controller.js';
import { SitesService } from './sites.service.js';

@Module({ controllers: [SitesController], providers: [SitesService, SiteAccess], exports: [SiteAccess, SitesService] })
export class SitesModule {}
