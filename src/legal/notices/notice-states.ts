/** received → triage → member told → responding / counter-notice → resolved with an outcome. */
export const NOTICE_STATUSES = ['received', 'triage', 'member_told', 'responding', 'counter_notice', 'resolved'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

const NEXT: Record<NoticeStatus, readonly NoticeStatus[]> = {
  received: ['triage'],
  // straight to responding only under a gag order, when the member may not be told
  triage: ['member_told', 'responding', 'resolved'],
  member_told: ['responding', 'counter_notice', 'resolved'],
  // a notice answered under a gag can be told to the member once the gag is lifted
  responding: ['member_told', 'counter_notice', 'resolved'],
  counter_notice: ['resolved'],
  resolved: [],
};

export type TransitionVerdict = { ok: true } | { ok: false; reason: string };

export function checkTransition(from: NoticeStatus, to: NoticeStatus, gagged: boolean): TransitionVerdict {
  if (!NEXT[from].includes(to)) {
    const allowed = NEXT[from].length ? NEXT[from].join(', ') : 'nothing (it is resolved)';
    return { ok: false, reason: `a notice in ${from} can move to ${allowed}, not to ${to}` };
  }
  if (to === 'member_told' && gagged) return { ok: false, reason: 'the notice is under a gag order: the member may not be told before its review date' };
  if (from === 'triage' && to === 'responding' && !gagged) return { ok: false, reason: 'tell the member before responding (member_told first)' };
  return { ok: true };
}
