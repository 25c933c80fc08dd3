import type { Alert } from '../../notifications/mailer.service.js';

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

/** To the member (and staff): what staff decided. */
export function decidedAlert(facts: MailFacts & { memberEmail: string }, decision: { started: true } | { started: false; reason?: string | null }): Alert {
  const text = decision.started
    ? `Your backup of ${facts.domain} from ${when(facts.snapshotAt)} is being restored. It is unpacked beside the site and swapped in only once complete.\n`
    : `Your request to restore ${facts.domain} from ${when(facts.snapshotAt)} was declined.${decision.reason ? `\n\nReason: ${decision.reason}` : ''}\n`;
  return { subject: `[hostkeeper] ${facts.domain}: restore ${decision.started ? 'started' : 'declined'}`, text, memberEmail: facts.memberEmail };
}
