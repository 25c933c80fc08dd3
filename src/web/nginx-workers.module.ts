import { Module } from '@nestjs/common';
import { NginxWorkersCheck } from './nginx-workers.check.js';

/** In processes that manage nginx (ROLE all or worker): checks at start what its workers can reach. */
@Module({ providers: [NginxWorkersCheck], exports: [NginxWorkersCheck] })
export class NginxWorkersModule {}
