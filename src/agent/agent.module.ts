import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { NginxAdapter } from '../core/adapters/nginx.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import { ServedCertificateProbe } from '../core/adapters/served-certificate.adapter.js';
import { AgentPrivateKeys } from '../core/crypto/agent-keys.js';
import { LocalHostService } from '../hosts/local-host.service.js';
import { LogFilesAdapter } from '../logging/log-files.adapter.js';
import { AGENT_IDENTITY, AgentIdentity } from './agent-identity.js';
import { AgentService } from './agent.service.js';
import { HostEffects } from './host-effects.js';
import { RevisionBook } from './revision-book.js';
import { SiteApplier } from './site-applier.js';
import { NginxWorkersCheck } from '../web/nginx-workers.check.js';

/**
 * The agent: everything that touches a web host (nginx files, reloads,
 * certificates and keys on disk, challenge answers, visitor logs) and nothing
 * else. ROLE=agent runs it alone, with no database and no secrets key;
 * ROLE=all runs it next to the control plane for the host made at first start.
 */
@Module({})
export class AgentModule {
  static forRoot(config: AppConfig): DynamicModule {
    const identity: Provider =
      config.role === 'agent'
        ? {
            provide: AGENT_IDENTITY,
            inject: [FilesAdapter],
            useFactory: (files: FilesAdapter): AgentIdentity => ({
              hostId: config.fleet.hostId!,
              keys: new AgentPrivateKeys(config.fleet.agentPrivateKey!),
              revisions: new RevisionBook(files, config.stateDir),
            }),
          }
        : {
            provide: AGENT_IDENTITY,
            inject: [LocalHostService, FilesAdapter],
            useFactory: async (local: LocalHostService, files: FilesAdapter): Promise<AgentIdentity> => {
              const { hostId, privateKey } = await local.ensure();
              return { hostId, keys: new AgentPrivateKeys(privateKey), revisions: new RevisionBook(files, config.stateDir) };
            },
          };
    return {
      module: AgentModule,
      providers: [
        identity,
        { provide: FilesAdapter, useValue: new FilesAdapter() },
        { provide: ProcessRunner, useValue: new ProcessRunner() },
        {
          provide: NginxAdapter,
          inject: [ProcessRunner, FilesAdapter],
          useFactory: (processes: ProcessRunner, files: FilesAdapter) =>
            new NginxAdapter({ bin: config.nginx.bin, conf: config.nginx.conf, sitesDir: config.nginx.sitesDir, reloadWindowMs: config.nginx.reloadWindowMs }, processes, files),
        },
        {
          provide: SiteApplier,
          inject: [FilesAdapter, NginxAdapter, AGENT_IDENTITY, APP_CONFIG],
          useFactory: (files: FilesAdapter, nginx: NginxAdapter, id: AgentIdentity) => new SiteApplier(files, nginx, id.keys, id.revisions, config),
        },
        {
          provide: HostEffects,
          inject: [FilesAdapter],
          useFactory: (files: FilesAdapter) => new HostEffects(files, new LogFilesAdapter(), new ServedCertificateProbe(), config),
        },
        AgentService,
        // what nginx's unprivileged workers can reach, checked at start
        NginxWorkersCheck,
      ],
      exports: [AgentService, SiteApplier, NginxWorkersCheck],
    };
  }
}
