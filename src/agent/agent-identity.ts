import type { AgentPrivateKeys } from '../core/crypto/agent-keys.js';
import type { RevisionBook } from './revision-book.js';

export const AGENT_IDENTITY = Symbol('AGENT_IDENTITY');

/** Who this agent is: its host, its own keys, and the revisions it has in force. */
export interface AgentIdentity {
  hostId: string;
  keys: AgentPrivateKeys;
  revisions: RevisionBook;
}
