import type { NoticeStatus } from './notice-states.js';

export interface NoticeRow {
  id: string;
  siteId: string;
  type: string;
  sender: string | null;
  senderRole: string | null;
  jurisdiction: string | null;
  receivedAt: Date;
  deadline: Date | null;
  status: string;
  outcome: string | null;
  actionTaken: string | null;
  gaggedUntil: Date | null;
  publish: boolean;
  publishAfter: Date | null;
  summary: string | null;
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function isGagged(row: Pick<NoticeRow, 'gaggedUntil'>, now: Date): boolean {
  return row.gaggedUntil !== null && row.gaggedUntil > now;
}

/** What the desk sees. */
export function deskView(row: NoticeRow, now: Date) {
  return { ...row, status: row.status as NoticeStatus, gagged: isGagged(row, now) };
}

/** What the member sees of a notice about its site: never the sender, notes or what is planned for publication. */
export function memberView(row: NoticeRow) {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    receivedAt: row.receivedAt,
    deadline: row.deadline,
    jurisdiction: row.jurisdiction,
    outcome: row.outcome ?? 'pending',
    actionTaken: row.actionTaken,
  };
}
