import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { QUEUE } from '../../../jobs/catalog.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { redisOptions } from './redis-connection.js';
import { QueueRegistry } from './queue.registry.js';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: redisOptions(config.redisUrl), prefix: config.redisPrefix }),
    }),
    BullModule.registerQueue(...Object.values(QUEUE).map((name) => ({ name }))),
  ],
  providers: [QueueRegistry],
  exports: [QueueRegistry, BullModule],
})
export class QueueModule {}
