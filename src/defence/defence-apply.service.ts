import { Injectable } from '@nestjs/common';
import { SYSTEM_ACTOR } from '../core/auth/actor.js';
import { AuditService } from '../core/audit/audit.service.js';
import { PrismaService } from '../core/database/prisma.service.js';
import type { RunnableOperation } from '../core/operations/operation-runner.service.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import { WebServerService } from '../web/web-server.service.js';

const NO_NJS = /unknown directive "js_/;

/** The worker half: the site's file is rendered from its rows, defence included. */
@Injectable()
export class DefenceApply {
  constructor(
    private readonly web: WebServerService,
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async apply(operation: RunnableOperation): Promise<void> {
    const applied = await this.web.applyOperationSite(operation);
    if (applied.ok) return;
    if (NO_NJS.test(applied.error)) await this.withdrawChallenge(applied.siteId, applied.error);
    throw new Error(`nginx did not take the defence configuration: ${applied.error}`);
  }

  /**
   * Without njs the challenge can never be rendered, and a site whose records
   * render to a file nginx refuses would block its certificate renewals too.
   * So the challenge is withdrawn (guarded limits need no module) and said so.
   */
  private async withdrawChallenge(siteId: string, nginxMessage: string): Promise<never> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.siteDefence.updateMany({ where: { siteId, level: 'challenge' }, data: { level: 'guarded' } });
      if (count > 0) {
        await this.audit.record(SYSTEM_ACTOR, { action: 'defence.challenge-withdrawn', targetType: 'site', targetId: siteId, changes: { level: 'guarded', nginxMessage } }, tx);
      }
    });
    const fallback = await this.web.apply(siteId);
    const outcome = fallback.ok ? 'the site is guarded by rate limits instead' : `the guarded fallback failed too: ${fallback.error}`;
    throw new PermanentJobError(
      `nginx cannot run the challenge: its JavaScript module (njs) is not loaded — install libnginx-mod-http-js or add load_module for ngx_http_js_module; ${outcome}`,
    );
  }
}
