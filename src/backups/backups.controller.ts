import { pipeline } from 'node:stream/promises';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../core/auth/actor.js';
import { CurrentActor, Roles } from '../core/auth/auth.decorators.js';
import { OperationAccepted } from '../operations/operation-accepted.dto.js';
import { BackupListView, BackupPolicyDto, BackupPolicyView, RestoreDto, MoveSiteDto } from './backup-policy.dto.js';
import { BackupsService } from './backups.service.js';

@ApiTags('backups')
@ApiBearerAuth()
@Controller('api/sites/:id')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Put('backup-policy')
  @Roles('staff', 'member')
  @ApiOperation({
    summary: 'Set the backup policy: schedule, retention and who holds the key',
    description:
      'keyCustody "provider": the host keeps a restic repository password (encrypted with SECRETS_KEY) and can restore on its own; whoever seizes the host and its key can read the backups. ' +
      'keyCustody "member": every backup is encrypted to the member OpenPGP public key and signed by the host; the host can never read it, and restoring needs the member private key. ' +
      'enabled false with deleteExisting true deletes every existing copy and records an attestation.',
  })
  @ApiOkResponse({ type: BackupPolicyView })
  putPolicy(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: BackupPolicyDto): Promise<BackupPolicyView> {
    return this.backups.putPolicy(actor, id, body);
  }

  @Get('backups')
  @Roles('staff', 'member')
  @ApiOkResponse({ type: BackupListView })
  list(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<BackupListView> {
    return this.backups.list(actor, id);
  }

  @Post('backups')
  @Roles('staff', 'member')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: OperationAccepted, description: 'back up now' })
  @ApiConflictResponse({ description: 'backups are not enabled, one is already under way, or the member backup storage is full (details name quota)' })
  @ApiTooManyRequestsResponse({ description: 'a member has started BACKUP_MANUAL_PER_HOUR backups in the last hour; Retry-After says when to try again' })
  start(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<OperationAccepted> {
    return this.backups.startBackup(actor, id);
  }

  @Post('backups/:snapshotId/restore')
  @Roles('staff')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Restore a snapshot into a new folder, then swap it in; a member private key is used once and never stored' })
  @ApiAcceptedResponse({ type: OperationAccepted })
  restore(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('snapshotId') snapshotId: string,
    @Body() body: RestoreDto,
  ): Promise<OperationAccepted> {
    return this.backups.restore(actor, id, snapshotId, body);
  }

  @Post('move')
  @Roles('staff')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Move the site to another host: its content through a backup and a restore, then serving; the old host keeps nothing of it' })
  @ApiAcceptedResponse({ type: OperationAccepted })
  @ApiConflictResponse({ description: 'the site is already on that host, is member custody, or a backup, restore, deletion or move is under way' })
  move(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: MoveSiteDto): Promise<OperationAccepted> {
    return this.backups.move(actor, id, body.hostId);
  }

  @Get('backups/latest/download')
  @Roles('staff', 'member')
  @ApiOperation({ summary: 'The latest backup as a streamed archive: a tar (provider custody) or the OpenPGP-encrypted tar.gz (member custody)' })
  @ApiProduces('application/x-tar', 'application/pgp-encrypted')
  @ApiTooManyRequestsResponse({ description: 'the member already has DOWNLOADS_PER_MEMBER downloads running; Retry-After says when to try again' })
  @ApiConflictResponse({ description: "the backups lie on another host's own BACKUP_TARGET (or disk, for member custody), which this API cannot read; the message names the host" })
  async download(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string, @Res() res: Response): Promise<void> {
    const download = await this.backups.latestDownload(actor, id);
    res.setHeader('Content-Type', download.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${download.filename}"`);
    // pipeline, not pipe: a client that goes away destroys the stream, which stops restic (or closes the file).
    await pipeline(download.stream, res).catch(() => undefined);
  }
}
