import type { AppConfig } from '../config/config.js';
import type { Alert } from '../notifications/mailer.service.js';

/** Mail for the legal desk goes to staff (STAFF_ALERT_EMAIL) and to LEGAL_ALERT_EMAIL. */
export function deskAlert(config: AppConfig, subject: string, lines: string[]): Alert {
  return { subject: `[hostkeeper legal] ${subject}`, text: `${lines.join('\n')}\n`, alsoTo: config.legal.alertEmail ? [config.legal.alertEmail] : [] };
}

export function day(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}
