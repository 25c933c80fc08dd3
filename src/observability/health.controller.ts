import { Controller, Get, HttpStatus, Inject, OnModuleDestroy, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Public } from '../core/auth/auth.decorators.js';
import { settlesWithin } from '../core/async/settles-within.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { NginxWorkersCheck } from '../web/nginx-workers.check.js';

const CHECK_TIMEOUT_MS = 1_500;

@ApiTags('operator')
@Controller()
export class HealthController implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly modules: ModuleRef,
  ) {
    this.redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
  }

  @Get('health')
  @Public()
  async health(@Res() response: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([
      check(() => this.prisma.$queryRaw`SELECT 1`),
      check(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
        return this.redis.ping();
      }),
    ]);
    const ok = postgres && redis;
    // Only where this process manages nginx; a problem there is told, not made a 503 (the API still works).
    const nginxWorkers = this.nginxWorkers();
    if (!ok) response.setHeader('Retry-After', '5');
    response.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: ok ? 'ok' : 'unavailable',
      postgres: postgres ? 'up' : 'down',
      redis: redis ? 'up' : 'down',
      ...(nginxWorkers ? { nginxWorkers } : {}),
    });
  }

  private nginxWorkers() {
    try {
      const status = this.modules.get(NginxWorkersCheck, { strict: false }).status;
      // /health is public: the sentence with its paths goes to the log only
      return status && { user: status.user, ok: status.ok };
    } catch {
      return undefined;
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

/** Up when the probe answers within CHECK_TIMEOUT_MS; a failure or no answer is down. */
async function check(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    return await settlesWithin(probe(), CHECK_TIMEOUT_MS);
  } catch {
    return false;
  }
}
