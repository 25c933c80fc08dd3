import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { NginxAdapter } from '../core/adapters/nginx.adapter.js';
import { ProcessRunner } from '../core/adapters/process.adapter.js';
import { WebServerService } from './web-server.service.js';

/**
 * The managed nginx: one NginxAdapter per process, so every capability's
 * changes share its lock and its coalesced reloads.
 */
@Module({
  providers: [
    {
      provide: NginxAdapter,
      inject: [APP_CONFIG, ProcessRunner, FilesAdapter],
      useFactory: (config: AppConfig, processes: ProcessRunner, files: FilesAdapter) =>
        new NginxAdapter(
          { bin: config.nginx.bin, conf: config.nginx.conf, sitesDir: config.nginx.sitesDir, reloadWindowMs: config.nginx.reloadWindowMs },
          processes,
          files,
        ),
    },
    WebServerService,
  ],
  exports: [WebServerService, NginxAdapter],
})
export class WebModule {}
