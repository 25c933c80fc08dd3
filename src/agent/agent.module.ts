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
import { ArchiveAdapter } from '../core/adapters/archive.adapter.js';
import { PathExchange } from '../core/adapters/path-exchange.adapter.js';
import { PgpAdapter } from '../core/adapters/pgp.adapter.js';
import { StreamingProcessRunner } from '../core/adapters/process-stream.adapter.js';
import { ResticAdapter } from '../core/adapters/restic.adapter.js';
import { BackupHost } from '../backups/backup-host.js';
import { BackupLocations } from '../backups/backup-locations.js';
import { backupPriority, resticCache } from '../backups/backup.providers.js';
import { FolderSwap } from '../backups/folder-swap.js';
import { KeyedLock } from '../backups/keyed-lock.js';
import { MemberCustody } from '../backups/member-custody.service.js';
import { ProviderCustody } from '../backups/provider-custody.service.js';

/**
 * The agent: everything that touches a web host (nginx files, reloads,
 * certificates and keys on disk, challenge answers, visitor logs, backups,
 * restores and drills on BACKUP_TARGET) and nothing
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
        {
          provide: BackupHost,
          inject: [ProcessRunner, FilesAdapter, AGENT_IDENTITY],
          useFactory: (processes: ProcessRunner, files: FilesAdapter, id: AgentIdentity) => {
            const locations = new BackupLocations(config);
            const restic = new ResticAdapter(processes, { cacheDir: resticCache(config), priority: backupPriority(config) });
            const archive = new ArchiveAdapter(new StreamingProcessRunner(), { priority: backupPriority(config) });
            const provider = new ProviderCustody(restic, locations, new KeyedLock());
            const member = new MemberCustody(new PgpAdapter(), archive, files, locations);
            const swaps = new FolderSwap(config, new PathExchange(processes));
            return new BackupHost(provider, member, swaps, processes, id.keys, config);
          },
        },
        AgentService,
        // what nginx's unprivileged workers can reach, checked at start
        NginxWorkersCheck,
      ],
      exports: [AgentService, SiteApplier, NginxWorkersCheck, BackupHost],
    };
  }
}
