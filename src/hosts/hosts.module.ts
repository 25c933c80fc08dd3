import { Global, Module } from '@nestjs/common';
import { HttpsModule } from '../https/https.module.js';
import { WebModule } from '../web/web.module.js';
import { AgentClient } from './agent-client.service.js';
import { HostResultsService } from './host-results.service.js';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';
import { LocalHostService } from './local-host.service.js';

/** The control plane's knowledge of its web hosts and the way to talk to their agents (every control-plane role). */
@Global()
@Module({
  providers: [HostsService, AgentClient, LocalHostService],
  exports: [HostsService, AgentClient, LocalHostService],
})
export class HostsCoreModule {}

@Module({ imports: [HttpsModule], controllers: [HostsController] })
export class HostsApiModule {}

/** The control queue's consumer and the revision reconcile (worker roles). */
@Module({ imports: [WebModule], providers: [HostResultsService] })
export class HostsWorkerModule {}
