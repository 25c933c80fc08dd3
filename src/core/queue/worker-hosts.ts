import type { DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';

/** Every BullMQ processor of this process (empty when ROLE=api). */
export function workerHosts(discovery: DiscoveryService): WorkerHost[] {
  return discovery
    .getProviders()
    .map((wrapper) => wrapper.instance as unknown)
    .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
}
