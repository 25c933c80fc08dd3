import 'reflect-metadata';
import type { Server } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { createAgent, createApp } from './bootstrap.js';
import { AppConfig, ConfigError, loadConfig } from './config/config.js';
import { settlesWithin } from './core/async/settles-within.js';

/** Room for a burst of connections (a thousand members' clicks) before the kernel refuses any. */
const LISTEN_BACKLOG = 4096;
/** How often a stopping server closes keep-alive connections that have gone idle. */
const IDLE_SWEEP_MS = 50;

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.role === 'agent') return runAgent(config);
  const app = await createApp(config);
  await app.init();
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: '0.0.0.0', backlog: LISTEN_BACKLOG }, resolve);
  });
  stopGracefullyOn(['SIGTERM', 'SIGINT'], app, server, config);
  console.log(`hostkeeper ${config.role} listening on port ${config.port}`);
}

/**
 * A deploy's SIGTERM must not cut a request or a job in half: stop taking
 * connections, let the requests in hand answer, then close the application
 * (workers finish their jobs, then Postgres and Redis close). Nothing runs
 * past SHUTDOWN_GRACE_SECONDS; a second signal stops at once.
 */
function stopGracefullyOn(signals: NodeJS.Signals[], app: INestApplicationContext, server: Server | undefined, config: AppConfig): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`hostkeeper ${config.role} stopping on ${signal}: finishing the ${server ? 'requests and jobs' : 'commands'} in hand`);
    setTimeout(() => {
      console.error('hostkeeper: shutdown took longer than its grace period; exiting');
      process.exit(1);
    }, config.shutdownGraceMs * 2 + 5_000).unref();
    try {
      if (server) await closeHttp(server, config.shutdownGraceMs);
      await app.close();
    } catch (error) {
      console.error('hostkeeper: shutdown failed part-way', error);
      process.exit(1);
    }
    process.exit(0);
  };
  for (const signal of signals) process.on(signal, (s: NodeJS.Signals) => void stop(s));
}

/** An agent serves no HTTP: it takes commands from its host's queue until it is told to stop. */
async function runAgent(config: AppConfig): Promise<void> {
  const app = await createAgent(config);
  await app.init();
  stopGracefullyOn(['SIGTERM', 'SIGINT'], app, undefined, config);
  console.log(`hostkeeper agent for host ${config.fleet.hostId} running`);
}

/** Stops listening and waits for the open requests to answer; keep-alive connections close as they go idle. */
async function closeHttp(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  server.closeIdleConnections();
  await settlesWithin(closed, graceMs);
  clearInterval(sweep);
  server.closeAllConnections();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
