import type { Alert } from '../../notifications/mailer.service.js';
import { Language, message } from '../../ui/catalog.js';

interface MailFacts {
  domain: string;
  snapshotAt: Date;
  requestId: string;
  note?: string | null;
}

function when(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** To staff (STAFF_ALERT_EMAIL): a provider-custody request waits for them; a member-custody one has started already. */
export function requestedAlert(facts: MailFacts, started: boolean): Alert {
  const lines = started
    ? [`The member of ${facts.domain} restores its backup of ${when(facts.snapshotAt)} with its own key; the restore has started.`]
    : [
        `The member of ${facts.domain} asks for its backup of ${when(facts.snapshotAt)} to be restored.`,
        '',
        `Restore it from the console (Operations) or with POST /api/restore-requests/${facts.requestId}/fulfil; decline with POST /api/restore-requests/${facts.requestId}/decline {reason}.`,
      ];
  return {
    subject: `[hostkeeper] ${facts.domain}: restore ${started ? 'started by the member' : 'requested'}`,
    text: [...lines, ...(facts.note ? ['', `The member wrote: ${facts.note}`] : []), ''].join('\n'),
  };
}

/** What staff decided, in the member's language (the one the request was made in); staff get it in English. */
export function decidedMail(facts: MailFacts, decision: { started: true } | { started: false; reason?: string | null }, language: Language): { subject: string; text: string } {
  const vars = { domain: facts.domain, when: when(facts.snapshotAt) };
  if (decision.started) {
    return { subject: message(language, 'mail.restore.started.subject', vars), text: `${message(language, 'mail.restore.started.text', vars)}\n` };
  }
  const reason = decision.reason ? `\n\n${message(language, 'mail.restore.declined.reason', { reason: decision.reason })}` : '';
  return { subject: message(language, 'mail.restore.declined.subject', vars), text: `${message(language, 'mail.restore.declined.text', vars)}${reason}\n` };
}
