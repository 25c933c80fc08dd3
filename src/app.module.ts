import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthSessionModule } from './auth-session/auth-session.module.js';
import { BackupsModule } from './backups/backups.module.js';
import { BackupsWorkerModule } from './backups/backups.worker.module.js';
import { CoreModule } from './core/core.module.js';
import { DefenceModule, DefenceWorkerModule } from './defence/defence.module.js';
import { HttpsModule, HttpsWorkerModule } from './https/https.module.js';
import { MaintenanceWorkerModule } from './maintenance/maintenance.worker.module.js';
import { LegalModule, LegalWorkerModule } from './legal/legal.module.js';
import { NginxWorkersModule } from './web/nginx-workers.module.js';
import { LoggingModule, LoggingWorkerModule } from './logging/logging.module.js';
import { MembersModule } from './members/members.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { SitesModule } from './sites/sites.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { UiModule } from './ui/ui.module.js';

type Imports = NonNullable<ModuleMetadata['imports']>;

/** HTTP side: controllers and the services behind them. */
const API_MODULES: Imports = [MembersModule, TokensModule, SitesModule, OperationsModule, AuditModule, LegalModule, ObservabilityModule, UiModule, HttpsModule, LoggingModule, BackupsModule, DefenceModule, AuthSessionModule];

/** Worker side: processors and schedulers. */
const WORKER_MODULES: Imports = [MaintenanceWorkerModule, HttpsWorkerModule, LoggingWorkerModule, BackupsWorkerModule, DefenceWorkerModule, LegalWorkerModule, NginxWorkersModule];

@Module({})
export class AppModule {
  /** ROLE picks the halves; CRONS_ENABLED=false leaves @Cron methods inert (tests). */
  static forRoot(config: AppConfig): DynamicModule {
    const api = config.role !== 'worker';
    const worker = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CoreModule,
        ...(worker && config.cronsEnabled ? [ScheduleModule.forRoot()] : []),
        ...(api ? API_MODULES : [ObservabilityModule]),
        ...(worker ? WORKER_MODULES : []),
      ],
    };
  }
}
