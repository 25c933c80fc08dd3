import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';

export type { Prisma } from '../../generated/prisma/client.js';
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/**
 * Prisma over one node-postgres pool. The pool is also exposed for the rare
 * hot read that wants a named prepared statement (planned once per
 * connection), which Prisma's raw queries do not offer.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  readonly pool: pg.Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.databasePoolSize });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  /** Last of all: requests and jobs still in hand at shutdown need the database until they end. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}
