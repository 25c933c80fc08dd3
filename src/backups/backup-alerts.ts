import type { Alert } from '../notifications/mailer.service.js';

export type AlertedRun = 'backup' | 'check' | 'drill';

interface SiteRef {
  primaryDomain: string;
  contactEmail: string;
}

const WHAT: Record<AlertedRun, string> = {
  backup: 'the backup failed',
  check: 'the backup integrity check failed',
  drill: 'the restore drill failed',
};

export function backupFailedAlert(site: SiteRef, kind: AlertedRun, reason: string): Alert {
  return {
    subject: `[hostkeeper] ${site.primaryDomain}: ${WHAT[kind]}`,
    text: `For ${site.primaryDomain}, ${WHAT[kind]}.\n\nReason: ${reason}\n\nThe site's backup runs in hostkeeper show the same reason.\n`,
    memberEmail: site.contactEmail,
  };
}
