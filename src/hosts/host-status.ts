export type HostStatus = 'online' | 'offline' | 'never-seen';

export interface HostLiveness {
  lastSeenAt: Date | null;
  stoppedAt: Date | null;
}

/** Online while heartbeats keep coming and the agent has not said it stopped. */
export function hostStatus(host: HostLiveness, offlineAfterMs: number, now = Date.now()): HostStatus {
  if (!host.lastSeenAt) return 'never-seen';
  if (host.stoppedAt && host.stoppedAt >= host.lastSeenAt) return 'offline';
  return now - host.lastSeenAt.getTime() <= offlineAfterMs ? 'online' : 'offline';
}

/** When the host went quiet: its "stopping" message, or its last heartbeat. */
export function offlineSince(host: HostLiveness): Date | undefined {
  if (host.stoppedAt && host.lastSeenAt && host.stoppedAt >= host.lastSeenAt) return host.stoppedAt;
  return host.lastSeenAt ?? undefined;
}
