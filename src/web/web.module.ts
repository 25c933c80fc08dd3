import { Module } from '@nestjs/common';
import { WebServerService } from './web-server.service.js';

/** Sites' desired state, sent to the agents of their hosts (see src/agent for the side that writes files). */
@Module({
  providers: [WebServerService],
  exports: [WebServerService],
})
export class WebModule {}
