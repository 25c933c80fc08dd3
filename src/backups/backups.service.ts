import { isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronExpressionParser } from 'cron-parser';
import type { RestoreSecrets } from '../../jobs/catalog.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { PgpAdapter, PgpKeyError } from '../core/adapters/pgp.adapter.js';
import type { Actor } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { SecretsService } from '../core/crypto/secrets.service.js';
import { PrismaService, Tx } from '../core/database/prisma.service.js';
import { AppException, ErrorCode } from '../core/errors/app.exception.js';
import { settlesWithin } from '../core/async/settles-within.js';
import { ENQUEUE_BUDGET_MS, OperationsService } from '../core/operations/operations.service.js';
import { SiteAccess } from '../sites/site-access.service.js';
import type { BackupEntryView, BackupListView, BackupPolicyDto, BackupPolicyView, RestoreDto } from './backup-policy.dto.js';
import type { MovePayload, RestorePayload } from './backup-jobs.service.js';
import { BackupQuota, inMib } from './backup-quota.service.js';
import { BackupSchedules } from './backup-schedules.service.js';
import { DownloadSlots } from './download-slots.js';
import { isArchiveId, MemberCustody } from './member-custody.service.js';
import { ProviderCustody } from './provider-custody.service.js';
import { BackupLocations } from './backup-locations.js';
import { BackupStorage } from './backup-storage.service.js';
import { shortestGapMinutes } from './schedule-gap.js';

const DEFAULTS = { schedule: '0 3 * * *', keepDaily: 7, keepWeekly: 4, keepMonthly: 6 };
const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;
const LIST_LIMIT = 200;
const HOUR_MS = 3600_000;

type PolicyRow = NonNullable<Awaited<ReturnType<PrismaService['backupPolicy']['findUnique']>>>;

export interface Download {
  stream: Readable;
  filename: string;
  contentType: string;
}

@Injectable()
export class BackupsService {
  private readonly logger = new Logger(BackupsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly access: SiteAccess,
    private readonly operations: OperationsService,
    private readonly secrets: SecretsService,
    private readonly pgp: PgpAdapter,
    private readonly schedules: BackupSchedules,
    private readonly provider: ProviderCustody,
    private readonly member: MemberCustody,
    private readonly downloads: DownloadSlots,
    private readonly quota: BackupQuota,
    private readonly locations: BackupLocations,
    private readonly storage: BackupStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async putPolicy(actor: Actor, siteId: string, input: BackupPolicyDto): Promise<BackupPolicyView> {
    await this.access.require(actor, siteId);
    this.assertAllowed(actor, input);
    const existing = await this.prisma.backupPolicy.findUnique({ where: { siteId } });
    const data = await this.resolve(input, existing);
    const { policy, deleteOp } = await this.prisma.$transaction(async (tx) => {
      const policy = await tx.backupPolicy.upsert({ where: { siteId }, create: { siteId, ...data }, update: data });
      await this.audit.record(actor, { action: 'backups.policy', targetType: 'site', targetId: siteId, changes: auditChanges(policy, input.deleteExisting) }, tx);
      const deleteOp = input.deleteExisting ? await this.createDeletion(tx, actor, siteId) : undefined;
      return { policy, deleteOp };
    });
    // A failure or a silent Redis is repaired by the schedule reconcile; the policy in Postgres is what counts.
    const applying = this.schedules.apply(policy).catch((error: Error) => this.logger.warn(`schedule for site ${siteId} not applied yet: ${error.message}`));
    if (!(await settlesWithin(applying, ENQUEUE_BUDGET_MS))) this.logger.warn(`schedule for site ${siteId} not applied yet: Redis does not answer`);
    if (deleteOp) await this.operations.enqueue(deleteOp);
    return toPolicyView(policy, deleteOp?.id);
  }

  async list(actor: Actor, siteId: string): Promise<BackupListView> {
    await this.access.require(actor, siteId);
    const runs = await this.prisma.backupRun.findMany({ where: { siteId }, orderBy: { startedAt: 'desc' }, take: LIST_LIMIT });
    return { items: runs.map(toEntryView) };
  }

  async startBackup(actor: Actor, siteId: string): Promise<{ operationId: string }> {
    // Outside the transaction: a full store mails an alert, which must not hold a transaction open.
    await this.assertRoom(await this.access.require(actor, siteId));
    const op = await this.prisma.$transaction(async (tx) => {
      const site = await this.access.require(actor, siteId, tx);
      const policy = await tx.backupPolicy.findUnique({ where: { siteId } });
      if (!policy?.enabled) throw AppException.conflict('backups are not enabled for this site; PUT a backup policy first');
      if (await this.operations.pendingFor(siteId, ['backups.run', 'backups.restore', 'backups.delete', 'sites.move'], tx)) {
        throw AppException.conflict('a backup, restore or deletion is already under way for this site');
      }
      if (actor.role === 'member') await this.assertManualBudget(tx, site.memberId);
      return this.operations.accept(tx, actor, { kind: 'backups.run', siteId, targetType: 'site', audit: { action: 'backups.run' } });
    });
    await this.operations.enqueue(op);
    return { operationId: op.id };
  }

  async restore(actor: Actor, siteId: string, snapshotId: string, input: RestoreDto): Promise<{ operationId: string }> {
    if (!SNAPSHOT_ID.test(snapshotId) && !isArchiveId(snapshotId)) throw AppException.notFound('snapshot');
    this.assertRestoreKey(snapshotId, input);
    const sealed = this.sealRestoreSecrets(input);
    const op = await this.prisma.$transaction(async (tx) => {
      await this.access.require(actor, siteId, tx);
      return this.acceptRestore(tx, actor, siteId, snapshotId);
    });
    await this.operations.enqueue(op, { ...sealed });
    return { operationId: op.id };
  }

  /**
   * Moves the site to another host. Its content travels as a provider-custody
   * snapshot (backup on the old host, restore on the new, which must reach the
   * same repository: a shared BACKUP_TARGET); certificate, logging mode,
   * defence and backup policy are in Postgres and go with the desired state.
   * A member-custody site is refused: its content would pass through a
   * snapshot the host can read, which the member chose against.
   */
  async move(actor: Actor, siteId: string, hostId: string): Promise<{ operationId: string }> {
    const op = await this.prisma.$transaction(async (tx) => {
      const site = await this.access.require(actor, siteId, tx);
      const host = await tx.host.findUnique({ where: { id: hostId }, select: { id: true, name: true } });
      if (!host) throw AppException.notFound('host');
      if (site.hostId === hostId) throw AppException.conflict(`the site is already on host ${host.name}`);
      const policy = await tx.backupPolicy.findUnique({ where: { siteId } });
      if (policy?.keyCustody === 'member') {
        throw AppException.conflict('a member-custody site is not moved by the service: its content would pass through a backup the host can read', [
          { field: 'keyCustody', problems: ['member custody'] },
        ]);
      }
      if (await this.operations.pendingFor(siteId, ['backups.run', 'backups.restore', 'backups.delete', 'sites.move'], tx)) {
        throw AppException.conflict('a backup, restore, deletion or move is already under way for this site');
      }
      const payload: MovePayload = { fromHostId: site.hostId, toHostId: hostId };
      return this.operations.accept(tx, actor, { kind: 'sites.move', siteId, targetType: 'site', payload: { ...payload }, audit: { action: 'sites.move', changes: { ...payload } } });
    });
    await this.operations.enqueue(op);
    return { operationId: op.id };
  }

  /** A member-custody archive needs the member private key; a provider snapshot takes no key. */
  assertRestoreKey(snapshotId: string, input: RestoreDto): void {
    const member = isArchiveId(snapshotId);
    if (member && !input.memberPrivateKey) {
      throw AppException.invalid('restoring a member-custody backup needs the member private key', [{ field: 'memberPrivateKey', problems: ['required for member custody'] }]);
    }
    if (!member && (input.memberPrivateKey || input.passphrase)) {
      throw AppException.invalid('this is a provider-custody snapshot: send no key', [{ field: 'memberPrivateKey', problems: ['only for member custody'] }]);
    }
  }

  /** Sealed with SECRETS_KEY for the job's Redis data only; never written to Postgres. */
  sealRestoreSecrets(input: RestoreDto): RestoreSecrets {
    return {
      ...(input.memberPrivateKey ? { sealedPrivateKey: this.secrets.encrypt(input.memberPrivateKey) } : {}),
      ...(input.passphrase ? { sealedPassphrase: this.secrets.encrypt(input.passphrase) } : {}),
    };
  }

  /** The restore operation and its audit entry, in the caller's transaction; one backup, restore or deletion at a time. */
  async acceptRestore(tx: Tx, actor: Actor, siteId: string, snapshotId: string, changes: Record<string, unknown> = {}) {
    if (await this.operations.pendingFor(siteId, ['backups.run', 'backups.restore', 'backups.delete', 'sites.move'], tx)) {
      throw AppException.conflict('a backup, restore or deletion is already under way for this site');
    }
    const payload: RestorePayload = { snapshotId };
    return this.operations.accept(tx, actor, { kind: 'backups.restore', siteId, targetType: 'site', payload: { ...payload }, audit: { action: 'backups.restore', changes: { snapshotId, ...changes } } });
  }

  /**
   * The stream is created last, with nothing awaited after it, so its consumer attaches at once.
   * The download holds one of its member's slots until the stream closes, however it ends.
   */
  async latestDownload(actor: Actor, siteId: string): Promise<Download> {
    const site = await this.access.require(actor, siteId);
    const release = this.downloads.take(actor.memberId ?? actor.id);
    try {
      const download = await this.openLatest(site, siteId);
      download.stream.once('close', release);
      return download;
    } catch (error) {
      release();
      throw error;
    }
  }

  private async openLatest(site: { id: string; memberId: string; hostId: string; documentRoot: string; primaryDomain: string }, siteId: string): Promise<Download> {
    const policy = await this.prisma.backupPolicy.findUnique({ where: { siteId } });
    await this.assertReadableHere(site.hostId, policy?.keyCustody ?? 'provider');
    if (policy?.keyCustody === 'member') {
      const archive = await this.member.latest(siteId);
      if (!archive) throw AppException.notFound('backup');
      return { stream: this.member.latestStream(archive), filename: `${site.primaryDomain}-${archive.id}.tar.gz.pgp`, contentType: 'application/pgp-encrypted' };
    }
    const password = await this.storage.existingPasswordOf(site.memberId);
    const tar = await this.provider.latestTar({ ...site, ...(password !== undefined ? { password } : {}) });
    if (!tar) throw AppException.notFound('backup');
    return { stream: tar, filename: `${site.primaryDomain}-latest.tar`, contentType: 'application/x-tar' };
  }

  /**
   * The API streams a download itself (an agent's answers travel through
   * Redis, no place for a site's whole archive). It can when the backups lie
   * where this process reads them: on its own host's BACKUP_TARGET (ROLE=all,
   * a site of the local host), or, for restic snapshots, in the one remote
   * backend every host shares. Member-custody archives stay on their host's disk.
   */
  private async assertReadableHere(hostId: string, custody: 'provider' | 'member'): Promise<void> {
    const host = await this.prisma.host.findUnique({ where: { id: hostId }, select: { name: true } });
    const local = this.config.role === 'all' && host?.name === this.config.fleet.localHostName;
    if (local || (custody === 'provider' && this.locations.shared)) return;
    const where = custody === 'member' ? 'on its host\'s own disk' : 'on its host\'s own BACKUP_TARGET';
    throw AppException.conflict(
      `the backups of this site are kept ${where} (host ${host?.name ?? hostId}), which this API cannot read: ` +
        'restore them on the host, or use one shared remote BACKUP_TARGET (sftp:, s3:, rest:) for provider custody',
      [{ field: 'download', problems: [`backups held by host ${host?.name ?? hostId}`] }],
    );
  }

  /** BACKUP_MANUAL_PER_HOUR per member, over all its sites: "back up now" cannot become a loop. */
  private async assertManualBudget(tx: Tx, memberId: string): Promise<void> {
    const limit = this.config.limits.manualBackupsPerHour;
    const recent = await tx.$queryRaw<{ createdAt: Date }[]>`
      SELECT o.created_at AS "createdAt" FROM operations o JOIN sites s ON s.id = o.site_id
      WHERE s.member_id = ${memberId}::uuid AND o.kind = 'backups.run' AND o.created_at > now() - interval '1 hour'
      ORDER BY o.created_at DESC LIMIT ${limit}`;
    if (recent.length < limit) return;
    const retryAfter = (recent[limit - 1].createdAt.getTime() + HOUR_MS - Date.now()) / 1000;
    throw AppException.tooMany(`at most ${limit} manual backups per hour for one member`, retryAfter, [{ field: 'backups', problems: [`${recent.length} started in the last hour, limit ${limit}`] }]);
  }

  private async assertRoom(site: { memberId: string; primaryDomain: string }): Promise<void> {
    const full = await this.quota.exceeded(site.memberId);
    if (!full) return;
    await this.quota.alert(site, full);
    const { usedMb, limitMb } = inMib(full);
    throw AppException.conflict(`the backup storage of this member is full (${usedMb} of ${limitMb} MiB): keep fewer backups or ask the host for more room`, [
      { field: 'quota', problems: [`${usedMb} MiB used of ${limitMb} MiB`] },
    ]);
  }

  private assertAllowed(actor: Actor, input: BackupPolicyDto): void {
    this.assertScheduleAllowed(actor, input.schedule);
    if (input.preBackupHook !== undefined && actor.role !== 'staff') {
      throw new AppException(ErrorCode.Forbidden, 'only staff may set a pre-backup hook');
    }
    if (input.deleteExisting && input.enabled) {
      throw AppException.invalid('deleteExisting goes with enabled: false', [{ field: 'deleteExisting', problems: ['only with enabled: false'] }]);
    }
    const hook = input.preBackupHook;
    if (hook?.length && !isAbsolute(hook[0])) {
      throw AppException.invalid('the hook program must be an absolute path', [{ field: 'preBackupHook', problems: ['first element must be an absolute path'] }]);
    }
  }

  /** Every run is a full archive for member custody: a member may not ask for more than one per BACKUP_MEMBER_MIN_INTERVAL_MINUTES. */
  private assertScheduleAllowed(actor: Actor, schedule: string | undefined): void {
    if (actor.role !== 'member' || schedule === undefined) return;
    const minimum = this.config.limits.memberBackupMinIntervalMinutes;
    const gap = shortestGapMinutes(schedule);
    if (gap >= minimum) return;
    throw AppException.invalid(`this schedule runs ${gap} minute(s) apart; backups may run at most once every ${minimum} minutes`, [
      { field: 'schedule', problems: [`runs as often as every ${gap} minute(s); the minimum interval is ${minimum} minutes`] },
    ]);
  }

  private async resolve(input: BackupPolicyDto, existing: PolicyRow | null) {
    const keyCustody = input.keyCustody ?? existing?.keyCustody ?? 'provider';
    if (keyCustody === 'provider' && input.memberPublicKey !== undefined) {
      throw AppException.invalid('memberPublicKey goes with keyCustody "member"', [{ field: 'memberPublicKey', problems: ['only with keyCustody "member"'] }]);
    }
    const key = await this.memberKey(keyCustody, input.memberPublicKey, existing);
    return {
      enabled: input.enabled,
      schedule: input.schedule ?? existing?.schedule ?? DEFAULTS.schedule,
      keepDaily: input.keepDaily ?? existing?.keepDaily ?? DEFAULTS.keepDaily,
      keepWeekly: input.keepWeekly ?? existing?.keepWeekly ?? DEFAULTS.keepWeekly,
      keepMonthly: input.keepMonthly ?? existing?.keepMonthly ?? DEFAULTS.keepMonthly,
      keyCustody,
      memberPublicKey: key.armored,
      memberKeyFingerprint: key.fingerprint,
      preBackupHook: input.preBackupHook ?? existing?.preBackupHook ?? [],
    };
  }

  private async memberKey(custody: 'provider' | 'member', given: string | undefined, existing: PolicyRow | null) {
    if (custody === 'provider') return { armored: existing?.memberPublicKey ?? null, fingerprint: existing?.memberKeyFingerprint ?? null };
    if (given === undefined) {
      if (existing?.memberPublicKey) return { armored: existing.memberPublicKey, fingerprint: existing.memberKeyFingerprint };
      throw AppException.invalid('keyCustody "member" needs memberPublicKey', [{ field: 'memberPublicKey', problems: ['required when keyCustody is "member"'] }]);
    }
    try {
      const info = await this.pgp.parsePublicKey(given);
      return { armored: given, fingerprint: info.fingerprint };
    } catch (error) {
      if (!(error instanceof PgpKeyError)) throw error;
      throw AppException.invalid(`memberPublicKey: ${error.message}`, [{ field: 'memberPublicKey', problems: [error.message] }]);
    }
  }

  private async createDeletion(tx: Tx, actor: Actor, siteId: string) {
    if (await this.operations.pendingFor(siteId, ['backups.run', 'backups.restore', 'backups.delete', 'sites.move'], tx)) {
      throw AppException.conflict('a backup, restore or deletion is already under way for this site');
    }
    return this.operations.create(tx, actor, { kind: 'backups.delete', siteId, targetType: 'site' });
  }
}

function scheduleAndRetention(policy: PolicyRow) {
  const { enabled, schedule, keepDaily, keepWeekly, keepMonthly } = policy;
  return { enabled, schedule, keepDaily, keepWeekly, keepMonthly };
}

/** The fingerprint identifies the key in the audit trail; the key itself never goes there. */
function auditChanges(policy: PolicyRow, deleteExisting?: boolean): Record<string, unknown> {
  return {
    ...scheduleAndRetention(policy),
    custody: policy.keyCustody,
    memberFingerprint: policy.keyCustody === 'member' ? policy.memberKeyFingerprint : null,
    preBackupHook: policy.preBackupHook,
    ...(deleteExisting ? { deleteExisting: true } : {}),
  };
}

function toPolicyView(policy: PolicyRow, deleteOperationId?: string): BackupPolicyView {
  return {
    ...scheduleAndRetention(policy),
    keyCustody: policy.keyCustody,
    ...(policy.keyCustody === 'member' && policy.memberKeyFingerprint ? { memberKeyFingerprint: policy.memberKeyFingerprint } : {}),
    preBackupHook: policy.preBackupHook,
    ...(policy.lastSuccessAt ? { lastSuccessAt: policy.lastSuccessAt } : {}),
    ...(policy.enabled ? { nextRunAt: CronExpressionParser.parse(policy.schedule, { tz: 'UTC' }).next().toDate() } : {}),
    ...(deleteOperationId ? { deleteOperationId } : {}),
  };
}

type RunRow = Awaited<ReturnType<PrismaService['backupRun']['findMany']>>[number];

function toEntryView(run: RunRow): BackupEntryView {
  return {
    id: run.id,
    kind: run.kind,
    custody: run.custody,
    status: run.status,
    ...(run.snapshotId ? { snapshotId: run.snapshotId } : {}),
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(run.files !== null ? { files: run.files } : {}),
    ...(run.totalBytes !== null ? { totalBytes: Number(run.totalBytes) } : {}),
    ...(run.bytesAdded !== null ? { bytesAdded: Number(run.bytesAdded) } : {}),
    ...(run.durationMs !== null ? { durationMs: run.durationMs } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.deletedAt ? { deletedAt: run.deletedAt } : {}),
  };
}
