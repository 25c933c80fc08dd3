/** Lumen's notice types (lumendatabase.org), as the legal desk records them. */
export const NOTICE_TYPES = [
  'dmca',
  'counter_notice',
  'trademark',
  'defamation',
  'court_order',
  'government_request',
  'law_enforcement_request',
  'data_protection',
  'private_information',
  'other',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/** Names the first version of the API took; still accepted, stored as Lumen's. */
export const LEGACY_NOTICE_TYPES: Record<string, NoticeType> = {
  cease_and_desist: 'other',
  dmca_takedown: 'dmca',
  subpoena: 'court_order',
  police_request: 'law_enforcement_request',
  registrar_complaint: 'other',
};

export const ACCEPTED_NOTICE_TYPES = [...NOTICE_TYPES, ...Object.keys(LEGACY_NOTICE_TYPES)];

export function noticeType(name: string): NoticeType {
  return LEGACY_NOTICE_TYPES[name] ?? (name as NoticeType);
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * How long the host has, from receipt, when the notice names no date. Government
 * demands are answered within a day; a DMCA counter-notice opens the 10–14
 * business-day window before material may go back up; GDPR gives a month.
 */
export const DEFAULT_DEADLINE_MS: Record<NoticeType, number> = {
  dmca: 3 * DAY,
  counter_notice: 14 * DAY,
  trademark: 14 * DAY,
  defamation: 14 * DAY,
  court_order: 7 * DAY,
  government_request: 1 * DAY,
  law_enforcement_request: 3 * DAY,
  data_protection: 30 * DAY,
  private_information: 2 * DAY,
  other: 14 * DAY,
};

/** The window a DMCA counter-notice opens, counted from the day it is filed. */
export const COUNTER_NOTICE_WINDOW_MS = 14 * DAY;

export const SENDER_ROLES = ['rights_holder', 'agent', 'company', 'private_person', 'lawyer', 'government', 'law_enforcement', 'court', 'other'] as const;
export const ACTIONS_TAKEN = ['yes', 'no', 'partial'] as const;
export type ActionTaken = (typeof ACTIONS_TAKEN)[number];
export const OUTCOMES = ['pending', 'rejected', 'complied', 'partially_complied', 'withdrawn', 'challenged_in_court'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function actionFor(outcome: Outcome): ActionTaken {
  if (outcome === 'complied') return 'yes';
  if (outcome === 'partially_complied') return 'partial';
  return 'no';
}
