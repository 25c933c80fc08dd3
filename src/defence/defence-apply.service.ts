import { Injectable } from '@nestjs/common';
import type { RunnableOperation } from '../core/operations/operation-runner.service.js';
import { PermanentJobError } from '../core/operations/operation.errors.js';
import { WebServerService } from '../web/web-server.service.js';

/** The worker half: the site's file is rendered from its rows, defence included. */
@Injectable()
export class DefenceApply {
  constructor(private readonly web: WebServerService) {}

  async apply(operation: RunnableOperation): Promise<void> {
    if (!operation.siteId) throw new PermanentJobError(`operation ${operation.id} names no site`);
    const applied = await this.web.apply(operation.siteId);
    if (!applied.ok && applied.missing) throw new PermanentJobError('the site no longer exists');
    if (!applied.ok) throw new Error(`nginx did not take the defence configuration: ${applied.error}`);
  }
}
