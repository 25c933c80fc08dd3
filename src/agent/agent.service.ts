import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import {
  AGENT_COMMANDS,
  AGENT_RESULTS_QUEUE,
  AgentCommand,
  AgentCommandEntry,
  AgentCommandJob,
  AgentResult,
  AgentResultBody,
  AgentResultJob,
  agentQueue,
  BackupCheckCommand,
  BackupDeleteCommand,
  BackupPruneCommand,
  BackupRestoreCommand,
  BackupRunCommand,
  LoggingModeName,
  SiteDesiredState,
} from '../../jobs/hosts.jobs.js';
import { WORKER_OPTIONS } from '../../jobs/job-spec.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { redisOptions } from '../core/queue/redis-connection.js';
import { Coalescer } from '../core/operations/coalescer.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import { BackupHost } from '../backups/backup-host.js';
import { AGENT_IDENTITY } from './agent-identity.js';
import type { AgentIdentity } from './agent-identity.js';
import { HostEffects } from './host-effects.js';
import { SiteApplier } from './site-applier.js';

/** 0.4: commands and results travel in groups (a 0.3 agent does not read them: upgrade agents with the control plane). */
export const AGENT_VERSION = '0.4.0';

/** Jobs in hand at once; each carries many commands, which run side by side (a site storm's wait for the applier's shared batch). */
const CONCURRENCY = 50;
/** Results per message on the control queue. */
const RESULTS_PER_POST = 500;

/**
 * The agent: takes commands from its own host's queue (and no other: its
 * Redis user can read nothing else), does them on this host, and posts each
 * result, signed with its own key, to the control queue. It knows nothing of
 * Postgres or of the service's secrets key.
 */
@Injectable()
export class AgentService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AgentService.name);
  private worker?: Worker;
  private results?: Queue;
  private heartbeat?: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    @Inject(AGENT_IDENTITY) private readonly identity: AgentIdentity,
    private readonly applier: SiteApplier,
    private readonly effects: HostEffects,
    private readonly backups: BackupHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get hostId(): string {
    return this.identity.hostId;
  }

  async onApplicationBootstrap(): Promise<void> {
    const connection = redisOptions(this.config.redisUrl);
    this.results = new Queue(AGENT_RESULTS_QUEUE, { connection, prefix: this.config.redisPrefix });
    this.results.on('error', (error) => this.logger.warn(`results queue: ${error.message}`));
    await this.identity.revisions.load();
    const repaired = await this.backups.repair();
    if (repaired > 0) this.logger.warn(`repaired ${repaired} folder swap(s) a crash had left half-done`);
    this.applier.start();
    this.worker = new Worker(agentQueue(this.identity.hostId), (job: Job<AgentCommandJob>) => this.run(job), {
      connection,
      prefix: this.config.redisPrefix,
      ...WORKER_OPTIONS,
      concurrency: CONCURRENCY,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    this.worker.on('error', (error) => this.logger.warn(`agent queue: ${error.message}`));
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), this.config.fleet.heartbeatMs);
    this.heartbeat.unref();
    this.logger.log(`agent for host ${this.identity.hostId} taking commands`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.worker?.close().catch(() => undefined);
    await this.applier.stop();
    await this.post({ type: 'stopping', at: Date.now() }).catch(() => undefined);
    await this.results?.close().catch(() => undefined);
  }

  private beat(): void {
    void this.post({ type: 'heartbeat', at: Date.now(), version: AGENT_VERSION, startedAt: this.startedAt }).catch((error: Error) =>
      this.logger.warn(`heartbeat not sent: ${error.message}`),
    );
  }

  /**
   * Every command of the job runs at once; each result is posted as soon as
   * it is known (with the others known meanwhile), and the job completes
   * when all are posted: an agent killed half-way gets the job again.
   */
  private async run(job: Job<AgentCommandJob>): Promise<void> {
    const entries = Array.isArray(job.data?.commands) ? job.data.commands : [];
    await Promise.all(entries.map(async (entry) => {
      const result = await this.runOne(entry);
      if (result) await this.outbox.push(result);
    }));
  }

  private async runOne({ command, commandId, expiresAt, data }: AgentCommandEntry): Promise<AgentResult | undefined> {
    if (typeof commandId !== 'string' || !(expiresAt >= Date.now())) return undefined;
    if (!AGENT_COMMANDS.includes(command)) return { commandId, command, ok: false, error: `this agent (${AGENT_VERSION}) does not know the command "${String(command).slice(0, 40)}"`, permanent: true };
    try {
      return { commandId, command, ok: true, value: await this.handle(command, data) };
    } catch (error) {
      // a permanent failure (bad input, a tampered archive) is not worth another attempt: the control plane is told so
      const permanent = error instanceof PermanentJobError ? { permanent: true } : {};
      return { commandId, command, ok: false, error: (error as Error).message.slice(0, 2000), ...permanent };
    }
  }

  private readonly outbox = new Coalescer<AgentResult, void>(async (results) => {
    for (let start = 0; start < results.length; start += RESULTS_PER_POST) {
      await this.post({ type: 'results', results: results.slice(start, start + RESULTS_PER_POST) });
    }
    return results.map(() => undefined);
  });

  private handle(command: AgentCommand, data: unknown): Promise<unknown> {
    const input = data as Record<string, unknown>;
    switch (command) {
      case 'site.apply':
        return this.applier.apply(data as SiteDesiredState);
      case 'site.remove':
        return this.applier.remove(String(input.siteId), String(input.siteKey));
      case 'challenge.put':
        return this.effects.putChallenge(String(input.token), String(input.keyAuthorization));
      case 'challenge.remove':
        return this.effects.removeChallenge(String(input.token));
      case 'logs.purge':
        return this.effects.purgeLogs(String(input.siteKey), input.mode === 'anonymized' ? 'anonymized' : 'off');
      case 'logs.held':
        return this.effects.heldLogs(String(input.siteKey));
      case 'logs.retention':
        return this.effects.retention(input.sites as Array<{ siteId: string; siteKey: string; mode: LoggingModeName; retentionDays: number }>, new Date(Number(input.now)));
      case 'served.probe':
        return this.effects.served(input.domains as string[], typeof input.ca === 'string' ? input.ca : undefined);
      case 'backup.run':
        return this.backups.backup(data as BackupRunCommand);
      case 'backup.restore':
        return this.backups.restore(data as BackupRestoreCommand);
      case 'backup.check':
        return this.backups.check(data as BackupCheckCommand);
      case 'backup.drill':
        return this.backups.drill(data as BackupCheckCommand);
      case 'backup.prune':
        return this.backups.prune(data as BackupPruneCommand);
      case 'backup.delete':
        return this.backups.deleteAll(data as BackupDeleteCommand);
    }
  }

  private async post(body: AgentResultBody): Promise<void> {
    const text = JSON.stringify(body);
    const job: AgentResultJob = { hostId: this.identity.hostId, body: text, signature: this.identity.keys.sign(text) };
    await this.results!.add(body.type, job, { removeOnComplete: true, removeOnFail: { count: 100 } });
  }
}
