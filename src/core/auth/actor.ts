export type ActorRole = 'staff' | 'member' | 'legal';

/** Who is asking: the token's identity, never the token itself. */
export interface Actor {
  /** ApiToken id, or 'system' for scheduled work */
  id: string;
  role: ActorRole | 'system';
  memberId?: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system' };
