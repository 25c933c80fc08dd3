import { join } from 'node:path';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { FilesAdapter } from '../core/adapters/files.adapter.js';
import { generateAgentKeys, publicKeysOf } from '../core/crypto/agent-keys.js';
import { PrismaService } from '../core/database/prisma.service.js';

/**
 * ROLE=all: the host this process serves with its own agent, made at first
 * start. Its private keys stay on this machine's disk (STATE_DIR, 0600), as
 * a separate agent's would; Postgres gets only the public halves.
 */
@Injectable()
export class LocalHostService implements BeforeApplicationShutdown {
  private hostId?: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly files: FilesAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get keyPath(): string {
    return join(this.config.stateDir, 'agent', 'agent.key');
  }

  async ensure(): Promise<{ hostId: string; privateKey: string }> {
    const name = this.config.fleet.localHostName;
    const existing = await this.prisma.host.findUnique({ where: { name } });
    const stored = (await this.files.readIfExists(this.keyPath))?.toString('utf8').trim();
    if (existing && stored && matches(stored, existing.sealPublicKey, existing.signPublicKey)) {
      this.hostId = existing.id;
      // this process is the host's agent: it is online from now (its heartbeats keep it so)
      await this.prisma.host.update({ where: { id: existing.id }, data: { lastSeenAt: new Date(), stoppedAt: null } });
      return { hostId: existing.id, privateKey: stored };
    }
    const keys = generateAgentKeys();
    await this.files.ensureDir(join(this.config.stateDir, 'agent'), 0o700);
    await this.files.writeAtomic(this.keyPath, keys.privateKey, 0o600);
    const host = await this.prisma.host.upsert({
      where: { name },
      create: { name, sealPublicKey: keys.sealPublicKey, signPublicKey: keys.signPublicKey, lastSeenAt: new Date() },
      update: { sealPublicKey: keys.sealPublicKey, signPublicKey: keys.signPublicKey, lastSeenAt: new Date(), stoppedAt: null },
    });
    this.hostId = host.id;
    return { hostId: host.id, privateKey: keys.privateKey };
  }

  /** A stopped single-server install says so at once rather than after the heartbeat times out. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.hostId) return;
    await this.prisma.host.update({ where: { id: this.hostId }, data: { stoppedAt: new Date() } }).catch(() => undefined);
  }
}

function matches(privateKey: string, sealPublicKey: string | null, signPublicKey: string | null): boolean {
  try {
    const derived = publicKeysOf(privateKey);
    return derived.sealPublicKey === sealPublicKey && derived.signPublicKey === signPublicKey;
  } catch {
    return false;
  }
}
