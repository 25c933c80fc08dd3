import { Resolver } from 'node:dns/promises';

export interface CaaRecord {
  critical: number;
  tag: string;
  value: string;
}

const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/** DNS look-ups for advice (CAA); `server` (host:port) replaces the system resolver, for tests. */
export class DnsAdapter {
  private readonly resolver = new Resolver({ timeout: 3_000, tries: 2 });

  constructor(server?: string) {
    if (server) this.resolver.setServers([server]);
  }

  /** The CAA records at exactly this name; empty when it has none. */
  async caa(name: string): Promise<CaaRecord[]> {
    try {
      const records = await this.resolver.resolveCaa(name);
      return records.flatMap((record) => {
        const fields = record as unknown as Record<string, unknown>;
        const tag = Object.keys(fields).find((key) => key !== 'critical' && typeof fields[key] === 'string');
        return tag ? [{ critical: record.critical, tag, value: String(fields[tag]) }] : [];
      });
    } catch (error) {
      if (ABSENT.has((error as { code?: string }).code ?? '')) return [];
      throw error;
    }
  }
}
