import { Module } from '@nestjs/common';
import { SitesModule } from '../sites/sites.module.js';
import { LegalController } from './legal.controller.js';
import { LegalService } from './legal.service.js';

@Module({ imports: [SitesModule], controllers: [LegalController], providers: [LegalService] })
export class LegalModule {}
