/**
 * The fleet's transport: one BullMQ queue per web host, named after the host
 * id, that only the host's agent reads; every agent posts its results and
 * heartbeats to one control queue, signed with its own key. Framework-free.
 */

/** The queue the agent of `hostId` takes its commands from. */
export function agentQueue(hostId: string): string {
  return `agent-${hostId}`;
}

/** Results and heartbeats from every agent. */
export const AGENT_RESULTS_QUEUE = 'agent-results';

/** What an agent can be asked to do; each is idempotent. */
export const AGENT_COMMANDS = [
  /** write the site's files (vhost, certificate, pass key, folders) for a revision, test and reload */
  'site.apply',
  /** take the site's files away (vhost, certificate, key, logs) */
  'site.remove',
  /** publish / withdraw an HTTP-01 challenge answer */
  'challenge.put',
  'challenge.remove',
  /** delete the site's access logs and say what was deleted */
  'logs.purge',
  /** what the host holds about the site's visitors */
  'logs.held',
  /** delete log files older than each site's retention */
  'logs.retention',
  /** TLS handshakes to the site on this host: what certificate it serves */
  'served.probe',
  /** back the site's document root up to this host's BACKUP_TARGET (restic, or an OpenPGP archive to the member's key) */
  'backup.run',
  /** restore a snapshot or archive into a staging folder and swap it in as the site's document root */
  'backup.restore',
  /** restic check of the member's repository, or the host signature of every archive of the site */
  'backup.check',
  /** restore the latest snapshot to a scratch folder and compare it (provider), or verify the latest archive (member) */
  'backup.drill',
  /** apply keep rules the control plane sends; returns the removed snapshot and archive ids */
  'backup.prune',
  /** delete every backup of the site on this host */
  'backup.delete',
] as const;
export type AgentCommand = (typeof AGENT_COMMANDS)[number];

/** A `challenge.put` / `challenge.remove` token: ACME sends base64url, and nothing else may become a file name on a host. */
export const ACME_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** One command for an agent. */
export interface AgentCommandEntry<T = unknown> {
  command: AgentCommand;
  commandId: string;
  /** the agent drops commands that waited past this (ms since epoch): the control plane has moved on */
  expiresAt: number;
  data: T;
}

/**
 * A job on an agent's queue: the commands the control plane gathered for the
 * host while the previous job was being added (a storm of a thousand changes
 * travels as a few jobs, not a thousand; a lone command goes out at once).
 */
export const AGENT_COMMANDS_JOB = 'commands';
export interface AgentCommandJob {
  commands: AgentCommandEntry[];
}

/** A job on the results queue. `body` is JSON, signed by the agent's Ed25519 key. */
export interface AgentResultJob {
  hostId: string;
  body: string;
  signature: string;
}

export type AgentResult =
  | { commandId: string; command: AgentCommand; ok: true; value: unknown }
  | { commandId: string; command: AgentCommand; ok: false; error: string; permanent?: boolean };

/** Results are gathered the same way on the way back: those finished while the previous post was under way go together. */
export type AgentResultBody =
  | { type: 'heartbeat'; at: number; version: string; startedAt: number }
  | { type: 'stopping'; at: number }
  | { type: 'results'; results: AgentResult[] };

export type LoggingModeName = 'off' | 'anonymized' | 'full';

/** Everything an agent needs to serve one site; secrets sealed to the agent's key. */
export interface SiteDesiredState {
  siteId: string;
  /** first domain: names the site's folders and files */
  siteKey: string;
  domains: string[];
  revision: number;
  loggingMode: LoggingModeName;
  tls?: { chainPem: string; keySealed: string; serial: string; hsts: boolean };
  defence?: { level: 'off' | 'guarded' | 'challenge'; exemptPaths: string[]; shieldRanges: string[]; passKeySealed?: string };
  /** reload even if every file is already as rendered (a reload that never happened) */
  forceReload?: boolean;
}

export interface SiteApplyValue {
  siteId: string;
  /** the revision now in force (higher than asked if a newer one already was) */
  revision: number;
  ok: boolean;
  error?: string;
  tls: boolean;
  /** the logging mode nginx now runs for the site (after a reload that took it) */
  loggingMode?: LoggingModeName;
  quarantined?: Array<{ siteKey?: string; file: string; movedTo: string; nginxMessage: string }>;
}

export interface HeldFileValue {
  name: string;
  bytes: number;
  modifiedAt: string;
  nameDay?: string;
  firstLineDay?: string;
}

export interface PurgedFileValue {
  name: string;
  bytes: number;
  firstDay?: string;
  lastDay?: string;
  emptied?: boolean;
}

export interface ServedValue {
  serial: string;
  names: string[];
  verified: boolean;
  verifyError?: string;
}

/** A site as a backup command names it; the agent finds its document root under its own SITES_ROOT. */
export interface BackupSiteRef {
  siteId: string;
  memberId: string;
  /** first domain: names the site's folder */
  siteKey: string;
}

/** Provider custody: the member repository's password sealed to the agent (absent: the member has no repository yet). */
export interface ProviderSecret {
  passwordSealed?: string;
}

export interface BackupRunCommand {
  site: BackupSiteRef;
  /** staff's pre-backup hook, an argument array run in the document root */
  hook: string[];
  provider?: ProviderSecret;
  /** member custody: the member's public key and the service's signing key (sealed) */
  member?: { publicKey: string; signingKeySealed: string };
}

export interface BackupRestoreCommand {
  site: BackupSiteRef;
  snapshotId: string;
  provider?: ProviderSecret;
  /** member custody: the member's private key (and passphrase) for this one restore, sealed to the agent, held in memory only */
  member?: { privateKeySealed: string; passphraseSealed?: string; signingPublicKey: string };
}

export interface BackupCheckCommand {
  site: BackupSiteRef;
  custody: 'provider' | 'member';
  provider?: ProviderSecret;
  signingPublicKey?: string;
}

export interface BackupPruneCommand {
  memberId: string;
  provider?: ProviderSecret;
  providerSites: Array<{ siteId: string; rules: { keepDaily: number; keepWeekly: number; keepMonthly: number } }>;
  memberSites: Array<{ siteId: string; rules: { keepDaily: number; keepWeekly: number; keepMonthly: number } }>;
}

export interface BackupDeleteCommand {
  site: BackupSiteRef;
  provider?: ProviderSecret;
}

/** What a backup or drill reports. */
export interface BackupValue {
  snapshotId?: string;
  archivePath?: string;
  files?: number;
  bytesAdded?: number;
  totalBytes?: number;
}
