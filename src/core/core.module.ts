import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FilesAdapter } from './adapters/files.adapter.js';
import { ProcessRunner } from './adapters/process.adapter.js';
import { AuditService } from './audit/audit.service.js';
import { AuthGuard } from './auth/auth.guard.js';
import { SessionService } from './auth/session.service.js';
import { SignInLimiter } from './auth/sign-in-limiter.js';
import { TokenService } from './auth/token.service.js';
import { SecretsService } from './crypto/secrets.service.js';
import { PrismaService } from './database/prisma.service.js';
import { MetricsService } from './metrics/metrics.service.js';
import { OperationRunner } from './operations/operation-runner.service.js';
import { OperationsService } from './operations/operations.service.js';
import { ReconcileService } from './operations/reconcile.service.js';
import { QueueModule } from './queue/queue.module.js';

const SHARED = [
  PrismaService,
  SecretsService,
  TokenService,
  SessionService,
  SignInLimiter,
  AuditService,
  MetricsService,
  OperationsService,
  OperationRunner,
  ReconcileService,
  ProcessRunner,
  FilesAdapter,
];

/** What every capability stands on: database, queues, auth, audit, operations, adapters. */
@Global()
@Module({
  imports: [QueueModule],
  providers: [...SHARED, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [...SHARED, QueueModule],
})
export class CoreModule {}
