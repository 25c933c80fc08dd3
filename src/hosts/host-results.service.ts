import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import { AGENT_RESULTS_QUEUE, AgentResultBody, AgentResultJob, SiteApplyValue } from '../../jobs/hosts.jobs.js';
import { JOB, operationJobId } from '../../jobs/catalog.js';
import { WORKER_OPTIONS } from '../../jobs/job-spec.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { verifySigned } from '../core/crypto/agent-keys.js';
import { retryingConflicts } from '../core/database/deadlocks.js';
import { PrismaService } from '../core/database/prisma.service.js';
import { briefly } from '../core/errors/unavailable.js';
import { Coalescer } from '../core/operations/coalescer.js';
import { OperationsService } from '../core/operations/operations.service.js';
import { QueueRegistry } from '../core/queue/queue.registry.js';
import { redisOptions } from '../core/queue/redis-connection.js';
import { WebServerService } from '../web/web-server.service.js';
import { AgentClient } from './agent-client.service.js';
import { HostsService } from './hosts.service.js';

/** Sites re-sent per host per sweep. */
const RESEND_BATCH = 1000;
/** A message that could not be taken (Postgres or Redis away) is read again this much later … */
const RETRY_MS = 1_000;
/** … until it is this old. */
const GIVE_UP_MS = 15 * 60_000;

/**
 * The control queue: heartbeats and answers from every agent. Each is
 * checked against the signing key of the host it claims to come from (an
 * agent can post here, so it could try to speak for another). Applied
 * revisions go to Postgres; answers are announced to whoever waits. A sweep
 * re-sends the desired state of every site its host lags behind on (Redis
 * flushed, agent offline, a job lost).
 */
@Injectable()
export class HostResultsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HostResultsService.name);
  private worker?: Worker;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly hosts: HostsService,
    private readonly agents: AgentClient,
    private readonly web: WebServerService,
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(AGENT_RESULTS_QUEUE, (job: Job<AgentResultJob>, token?: string) => this.take(job.data).catch((error: Error) => this.later(job, token, error)), {
      connection: redisOptions(this.config.redisUrl),
      prefix: this.config.redisPrefix,
      ...WORKER_OPTIONS,
      concurrency: 200,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    this.worker.on('error', (error) => this.logger.warn(`control queue: ${error.message}`));
    const every = Math.max(1_000, Math.min(this.config.fleet.heartbeatMs, 5_000));
    this.sweepTimer = setInterval(() => void this.sweep(), every);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    await this.worker?.close().catch(() => undefined);
  }

  /**
   * Postgres or Redis away (a restart): an answer or a stop waits and is read
   * again, never dropped — an operation waiting for an answer lost here (a
   * restore, a backup) would wait for hours. No attempt is spent (the agent
   * posts with BullMQ's default of one). A heartbeat is dropped: the next one
   * says the same. Past GIVE_UP_MS the message fails, kept with the failed.
   */
  private async later(job: Job<AgentResultJob>, token: string | undefined, error: Error): Promise<void> {
    if (job.name === 'heartbeat') return;
    if (Date.now() - job.timestamp > GIVE_UP_MS) throw error;
    if (job.attemptsStarted <= 1) this.logger.warn(`control queue: a ${job.name} from host ${job.data.hostId} waits to be read again: ${briefly(error)}`);
    await job.moveToDelayed(Date.now() + RETRY_MS, token);
    throw new DelayedError();
  }

  private async take(job: AgentResultJob): Promise<void> {
    const host = await this.hosts.find(job.hostId);
    if (!host?.signPublicKey || !verifySigned(host.signPublicKey, job.body, job.signature)) {
      this.logger.warn(`dropped a message on the control queue that host ${job.hostId} did not sign`);
      return;
    }
    const body = JSON.parse(job.body) as AgentResultBody;
    switch (body.type) {
      case 'heartbeat':
        await this.seen.push({ hostId: job.hostId, version: body.version, at: body.at, fresh: Date.now() - body.startedAt < this.config.fleet.heartbeatMs * 2 });
        return;
      case 'stopping':
        await this.prisma.host.update({ where: { id: job.hostId }, data: { stoppedAt: new Date() } });
        this.hosts.forget(job.hostId);
        return;
      case 'results': {
        const results = Array.isArray(body.results) ? body.results : [];
        await Promise.all(
          results.map((result) => {
            if (result.command !== 'site.apply' || !result.ok) return undefined;
            const value = result.value as SiteApplyValue;
            return value.ok ? this.applied.push({ hostId: job.hostId, siteId: value.siteId, revision: value.revision, mode: value.loggingMode ?? null }) : undefined;
          }),
        );
        await this.agents.announce(
          results.map((result) => ({ commandId: result.commandId, ok: result.ok, ...(result.ok ? { value: result.value } : { error: result.error, ...(result.permanent ? { permanent: true } : {}) }) })),
        );
      }
    }
  }

  private readonly seen = new Coalescer<{ hostId: string; version: string; at: number; fresh: boolean }, void>(async (beats) => {
    const hostIds = [...new Set(beats.map(({ hostId }) => hostId))];
    for (const hostId of hostIds) {
      const beat = beats.filter((candidate) => candidate.hostId === hostId).pop()!;
      // Seen now (a heartbeat that waited in a busy queue is still news that the agent lives), except
      // a heartbeat sent before the agent said it was stopping, and read after: it brings nothing back.
      const at = new Date(Math.min(beat.at, Date.now()));
      const wasAway = this.hosts.status(await this.hosts.row(hostId)) !== 'online';
      await this.prisma.$executeRaw`
        UPDATE hosts SET last_seen_at = CASE WHEN stopped_at > ${at} THEN last_seen_at ELSE now() END, agent_version = ${beat.version},
          stopped_at = CASE WHEN stopped_at > ${at} THEN stopped_at ELSE NULL END
        WHERE id = ${hostId}::uuid`;
      this.hosts.forget(hostId);
      // an agent that just started may have missed anything sent while it was away
      const fresh = beats.some((candidate) => candidate.hostId === hostId && candidate.fresh);
      if (fresh) void this.resend(hostId, true);
      if (fresh || wasAway) void this.wake(hostId);
    }
    return beats.map(() => undefined);
  });

  private readonly applied = new Coalescer<{ hostId: string; siteId: string; revision: number; mode: string | null }, void>(async (rows) => {
    // the mode in force follows only the newest revision a host reports
    await retryingConflicts(() => this.prisma.$executeRaw`
      WITH input AS (
        SELECT DISTINCT ON ("siteId") * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r("hostId" uuid, "siteId" uuid, revision int, mode text)
        ORDER BY "siteId", revision DESC
      ), bumped AS (
        UPDATE sites SET applied_revision = input.revision FROM input
        WHERE sites.id = input."siteId" AND sites.host_id = input."hostId" AND sites.applied_revision <= input.revision
        RETURNING sites.id, input.mode
      )
      UPDATE logging_policies SET mode_in_force = bumped.mode::"LoggingMode" FROM bumped WHERE logging_policies.site_id = bumped.id AND bumped.mode IS NOT NULL`);
    return rows.map(() => undefined);
  });

  /**
   * The host is back: operations that gave their slot back while it was away
   * run now rather than at their next retry (HOST_OFFLINE_RETRY_SECONDS).
   */
  private async wake(hostId: string): Promise<void> {
    try {
      const rows = await this.prisma.$queryRaw<Array<{ id: string; kind: string }>>`
        SELECT o.id::text AS id, o.kind FROM operations o JOIN sites s ON s.id = o.site_id
        WHERE s.host_id = ${hostId}::uuid AND o.status = 'queued' AND o.waiting_for IS NOT NULL`;
      let woken = 0;
      // a hundred at a time, side by side: the host's changes reach it together and share its batches
      for (let start = 0; start < rows.length && !this.stopped; start += 100) {
        const promoted = await Promise.all(
          rows.slice(start, start + 100).map(async ({ id, kind }) => {
            if (!OperationsService.isKnownKind(kind)) return false;
            const job = await this.queues.of(JOB[kind].queue).getJob(operationJobId(id));
            // a job that left the delayed set meanwhile (it ran, or its own retry came) is left alone
            return job !== undefined && (await job.isDelayed()) && (await job.promote().then(() => true, () => false));
          }),
        );
        woken += promoted.filter(Boolean).length;
      }
      if (woken > 0) this.logger.log(`host ${hostId} is back: ${woken} operation(s) that waited for it run now`);
    } catch (error) {
      this.logger.warn(`operations waiting for host ${hostId} not woken (they retry by themselves): ${(error as Error).message}`);
    }
  }

  /** Every few seconds: each online host's lagging sites, sent again. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      const hosts = await this.prisma.$queryRaw<Array<{ id: string }>>`
        SELECT DISTINCT s.host_id::text AS id FROM sites s JOIN hosts h ON h.id = s.host_id
        WHERE s.applied_revision < s.desired_revision
          AND h.last_seen_at > now() - make_interval(secs => ${this.config.fleet.offlineAfterMs / 1000})
          AND (h.stopped_at IS NULL OR h.stopped_at < h.last_seen_at)`;
      for (const { id } of hosts) if (!this.stopped) await this.resend(id, false);
    } catch (error) {
      this.logger.warn(`reconcile of hosts' revisions: ${briefly(error)}`);
    } finally {
      this.sweeping = false;
    }
  }

  /** Sites of the host whose applied revision lags; `all` also those sent moments ago. */
  private async resend(hostId: string, all: boolean): Promise<void> {
    const quiet = all ? 0 : this.config.fleet.commandTimeoutMs / 1000 / 2;
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id::text AS id FROM sites
      WHERE host_id = ${hostId}::uuid AND applied_revision < desired_revision
        AND (sent_at IS NULL OR sent_at < now() - make_interval(secs => ${quiet}))
      ORDER BY sent_at NULLS FIRST LIMIT ${RESEND_BATCH}`;
    if (rows.length === 0 || this.stopped) return;
    this.logger.log(`re-sending ${rows.length} site(s) whose host ${hostId} is behind`);
    await this.web.resend(rows.map(({ id }) => id)).catch((error: Error) => this.logger.warn(`re-send to host ${hostId}: ${error.message}`));
  }
}
