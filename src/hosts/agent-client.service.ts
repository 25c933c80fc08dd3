import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AGENT_COMMANDS_JOB, AgentCommand, AgentCommandEntry, AgentCommandJob, agentQueue } from '../../jobs/hosts.jobs.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Coalescer } from '../core/operations/coalescer.js';
import { HostUnavailableError, PermanentJobError } from '../core/operations/operation.errors.js';
import { redisOptions } from '../core/queue/redis-connection.js';
import { offlineSince } from './host-status.js';
import { HostRow, HostsService } from './hosts.service.js';

export interface CommandDone {
  commandId: string;
  ok: boolean;
  value?: unknown;
  error?: string;
  /** the agent says another attempt would fail the same way */
  permanent?: boolean;
}

/** The answers in a message on the channel; anything else there (not ours, garbled) is ignored, never thrown. */
export function answersIn(message: string): CommandDone[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  return (Array.isArray(parsed) ? parsed : []).filter(
    (item): item is CommandDone => typeof item === 'object' && item !== null && typeof (item as CommandDone).commandId === 'string' && typeof (item as CommandDone).ok === 'boolean',
  );
}

/** Commands per job on a host's queue. */
const COMMANDS_PER_JOB = 500;

interface Waiter {
  resolve: (done: CommandDone) => void;
  timer?: NodeJS.Timeout;
}

export interface CallOptions {
  /** a fixed id makes re-sending the same command a no-op while the first copy waits */
  commandId?: string;
  timeoutMs?: number;
}

/**
 * The control plane's side of the transport: puts a command on a host's
 * queue and waits for the agent's answer, which comes back through the
 * control queue (HostResultsService) and is announced to every control-plane
 * process on one Redis channel, so whichever process asked gets it.
 */
@Injectable()
export class AgentClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AgentClient.name);
  private readonly queues = new Map<string, Queue>();
  private readonly outboxes = new Map<string, Coalescer<AgentCommandEntry, void>>();
  private readonly waiters = new Map<string, Waiter[]>();
  private connection?: Redis;
  private subscriber?: Redis;
  private closed = false;

  constructor(
    private readonly hosts: HostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Redis channels belong to the whole server, not to one database: the
   * database number is part of the name, so two installs (or test runs) that
   * share a server and a prefix in different databases do not hear each other.
   */
  get channel(): string {
    const db = /^\/(\d+)$/.exec(new URL(this.config.redisUrl).pathname)?.[1] ?? '0';
    return `${this.config.redisPrefix}:agent-done:${db}`;
  }

  async onModuleInit(): Promise<void> {
    const options = redisOptions(this.config.redisUrl);
    this.connection = new Redis({ ...options, lazyConnect: true });
    this.connection.on('error', () => undefined);
    this.subscriber = new Redis({ ...options, lazyConnect: true });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => {
      for (const done of answersIn(message)) this.settle(done);
    });
    // Redis being down must not stop the API from starting: the subscription follows when it returns
    void this.subscriber
      .connect()
      .then(() => this.subscriber!.subscribe(this.channel))
      .catch((error: Error) => this.logger.warn(`agent answers channel not subscribed yet: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    this.queues.clear();
    this.subscriber?.disconnect();
    this.connection?.disconnect();
  }

  /** Announces answers to every control-plane process (HostResultsService calls this). */
  async announce(answers: CommandDone[]): Promise<void> {
    if (answers.length > 0) await this.connection!.publish(this.channel, JSON.stringify(answers));
  }

  /** Sends a command to the host's agent and waits for its answer. */
  async call<T>(hostId: string, command: AgentCommand, data: unknown, options: CallOptions = {}): Promise<T> {
    const host = await this.hosts.requireOnline(hostId);
    return this.send<T>(host, command, data, options);
  }

  /**
   * Puts the command on the host's queue without waiting for the answer (a
   * re-send by the reconcile does only this). Commands for one host asked
   * for while the previous job was being added travel together as one job.
   */
  post(hostId: string, command: AgentCommand, data: unknown, commandId: string): Promise<void> {
    const expiresAt = Date.now() + this.config.fleet.commandTimeoutMs * 5;
    return this.outbox(hostId).push({ command, commandId, expiresAt, data });
  }

  private outbox(hostId: string): Coalescer<AgentCommandEntry, void> {
    let outbox = this.outboxes.get(hostId);
    if (!outbox) {
      outbox = new Coalescer<AgentCommandEntry, void>(async (commands) => {
        for (let start = 0; start < commands.length; start += COMMANDS_PER_JOB) {
          const job: AgentCommandJob = { commands: commands.slice(start, start + COMMANDS_PER_JOB) };
          await this.queue(hostId).add(AGENT_COMMANDS_JOB, job, { removeOnComplete: true, removeOnFail: true });
        }
        return commands.map(() => undefined);
      });
      this.outboxes.set(hostId, outbox);
    }
    return outbox;
  }

  private async send<T>(host: HostRow, command: AgentCommand, data: unknown, options: CallOptions): Promise<T> {
    if (this.closed) throw new Error('the service is stopping');
    const commandId = options.commandId ?? randomUUID();
    const timeoutMs = options.timeoutMs ?? this.config.fleet.commandTimeoutMs;
    const answer = this.wait(commandId, timeoutMs);
    try {
      await Promise.race([
        this.post(host.id, command, data, commandId),
        new Promise((_, reject) => setTimeout(() => reject(new Error('Redis did not take the command in time')), timeoutMs).unref()),
      ]);
    } catch (error) {
      this.drop(commandId);
      throw error;
    }
    const done = await this.patiently(host.id, commandId, answer, timeoutMs);
    if (!done) {
      this.hosts.forget(host.id);
      const now = await this.hosts.row(host.id);
      if (this.hosts.status(now) !== 'online') throw new HostUnavailableError(now.name, offlineSince(now));
      throw new Error(`host ${host.name} did not answer "${command}" within ${Math.round(timeoutMs / 1000)} s`);
    }
    if (!done.ok) {
      const message = done.error ?? `host ${host.name} could not do "${command}"`;
      throw done.permanent ? new PermanentJobError(message) : new Error(message);
    }
    return done.value as T;
  }

  /**
   * A long command (a backup may take hours) is waited for in slices of
   * AGENT_COMMAND_TIMEOUT_SECONDS: between them the host is looked at again,
   * and an agent gone offline ends the wait at once rather than at the end.
   */
  private async patiently(hostId: string, commandId: string, answer: Promise<CommandDone | undefined>, timeoutMs: number): Promise<CommandDone | undefined> {
    const slice = this.config.fleet.commandTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= slice) return answer;
      let timer: NodeJS.Timeout | undefined;
      const pause = new Promise<'not yet'>((resolve) => (timer = setTimeout(() => resolve('not yet'), slice)));
      const done = await Promise.race([answer, pause]);
      clearTimeout(timer);
      if (done !== 'not yet') return done;
      this.hosts.forget(hostId);
      const row = await this.hosts.row(hostId);
      if (this.hosts.status(row) !== 'online') {
        this.drop(commandId);
        return undefined;
      }
    }
  }

  private wait(commandId: string, timeoutMs: number): Promise<CommandDone | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drop(commandId, waiter);
        resolve(undefined);
      }, timeoutMs);
      const waiter: Waiter = {
        timer,
        resolve: (done) => {
          clearTimeout(timer);
          resolve(done);
        },
      };
      const list = this.waiters.get(commandId) ?? [];
      list.push(waiter);
      this.waiters.set(commandId, list);
    });
  }

  private settle(done: CommandDone): void {
    const list = this.waiters.get(done.commandId);
    if (!list) return;
    this.waiters.delete(done.commandId);
    for (const waiter of list) waiter.resolve(done);
  }

  private drop(commandId: string, waiter?: Waiter): void {
    const list = this.waiters.get(commandId);
    if (!list) return;
    for (const dropped of list) if (!waiter || dropped === waiter) clearTimeout(dropped.timer);
    const rest = waiter ? list.filter((candidate) => candidate !== waiter) : [];
    if (rest.length > 0) this.waiters.set(commandId, rest);
    else this.waiters.delete(commandId);
  }

  private queue(hostId: string): Queue {
    let queue = this.queues.get(hostId);
    if (!queue) {
      queue = new Queue(agentQueue(hostId), { connection: this.connection!, prefix: this.config.redisPrefix });
      queue.on('error', (error) => this.logger.warn(`queue of host ${hostId}: ${error.message}`));
      this.queues.set(hostId, queue);
    }
    return queue;
  }
}
