import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, ActorRole } from './actor.js';

export const ROLES_KEY = 'hostkeeper:roles';
export const PUBLIC_KEY = 'hostkeeper:public';

/** Which token roles may call this route. Every /api route must say. */
export const Roles = (...roles: ActorRole[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  return context.switchToHttp().getRequest<{ actor: Actor }>().actor;
});
