import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { AppConfig } from '../../src/config/config.js';
import { createApp } from '../../src/bootstrap.js';
import { TokenService } from '../../src/core/auth/token.service.js';
import { PrismaService } from '../../src/core/database/prisma.service.js';
import { testConfig } from './test-env.js';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  prisma: PrismaService;
  http: ReturnType<typeof request>;
  staffToken: string;
  token(role: 'staff' | 'member' | 'legal', memberId?: string): Promise<string>;
  close(): Promise<void>;
}

/** The real application on the real Postgres and Redis, listening on a free loopback port. */
export async function startTestApp(config: AppConfig = testConfig()): Promise<TestApp> {
  const app = await createApp(config, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const tokens = app.get(TokenService);
  const token = async (role: 'staff' | 'member' | 'legal', memberId?: string) => (await tokens.create(role, memberId)).token;
  return {
    app,
    config,
    prisma: app.get(PrismaService),
    http: request(app.getHttpServer()),
    staffToken: await token('staff'),
    token,
    close: () => app.close(),
  };
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** Polls until the check passes or the time is up; the last failure is thrown. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
