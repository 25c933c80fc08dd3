import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { WorkerHost } from '@nestjs/bullmq';
import { JOB, JobName } from '../../../jobs/catalog.js';
import type { CatalogProcessor } from './job-handlers.js';
import { workerHosts } from './worker-hosts.js';

/**
 * Refuses to start a worker unless every job in the catalog has exactly one
 * handler: a job nobody handles would sit in Redis for ever, a job handled
 * twice would be taken by whichever worker is quicker.
 */
@Injectable()
export class JobCatalogCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobCatalogCheck.name);

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    const processors = workerHosts(this.discovery) as Array<WorkerHost & CatalogProcessor>;
    const problems = checkCoverage(processors.map((p) => Object.keys(p.handlers ?? {}) as JobName[]));
    if (problems.length > 0) throw new Error(`job catalog check failed:\n  - ${problems.join('\n  - ')}`);
    this.logger.log(`${Object.keys(JOB).length} jobs, each with one handler`);
  }
}

export function checkCoverage(handledPerProcessor: JobName[][]): string[] {
  const count = new Map<string, number>();
  for (const name of handledPerProcessor.flat()) count.set(name, (count.get(name) ?? 0) + 1);
  const problems: string[] = [];
  for (const name of Object.keys(JOB)) {
    const n = count.get(name) ?? 0;
    if (n !== 1) problems.push(`${name} has ${n} handlers`);
  }
  for (const name of count.keys()) if (!(name in JOB)) problems.push(`${name} is handled but not in the catalog`);
  return problems;
}
