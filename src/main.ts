import 'reflect-metadata';
import type { Server } from 'node:http';
import { createApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/config.js';

/** Room for a burst of connections (a thousand members' clicks) before the kernel refuses any. */
const LISTEN_BACKLOG = 4096;

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.init();
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: '0.0.0.0', backlog: LISTEN_BACKLOG }, resolve);
  });
  console.log(`hostkeeper ${config.role} listening on port ${config.port}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
