import { Module } from '@nestjs/common';
import { LegalDeskModule } from './legal-desk.module.js';
import { LegalController } from './legal.controller.js';
import { LegalProcessor } from './legal.processor.js';
import { LegalScheduler } from './legal.scheduler.js';
import { PublicPagesController } from './public-pages.controller.js';

/** API half: the review queue, check-ins, notices, the canary and the public pages. */
@Module({ imports: [LegalDeskModule], controllers: [LegalController, PublicPagesController] })
export class LegalModule {}

/** Worker half: the sweep for deadlines, gag reviews and the canary. */
@Module({ imports: [LegalDeskModule], providers: [LegalProcessor, LegalScheduler] })
export class LegalWorkerModule {}
