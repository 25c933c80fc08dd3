import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';

export interface Alert {
  subject: string;
  text: string;
  /** The member's contact address, besides STAFF_ALERT_EMAIL. */
  memberEmail?: string;
  /** Other desks that must hear of it too (LEGAL_ALERT_EMAIL). */
  alsoTo?: string[];
}

/**
 * Alert mail through SMTP_URL. Sending never fails the work that raised the
 * alert: a mail problem is logged (without the URL, which may hold a password).
 */
@Injectable()
export class MailerService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailerService.name);
  private readonly transport?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.smtp.url) this.transport = nodemailer.createTransport(config.smtp.url);
  }

  /** Resolves true once the message was accepted by the SMTP server. */
  async send(alert: Alert): Promise<boolean> {
    const to = [...new Set([this.config.smtp.staffAlertEmail, alert.memberEmail, ...(alert.alsoTo ?? [])].filter((address): address is string => !!address))];
    if (to.length === 0) {
      this.logger.warn(`alert not sent, nobody to send it to (set STAFF_ALERT_EMAIL): ${alert.subject}`);
      return false;
    }
    return this.deliver(to, alert.subject, alert.text, 'alert');
  }

  /** One message to one person (a sign-in link): never copied to staff. */
  sendTo(to: string, subject: string, text: string): Promise<boolean> {
    return this.deliver([to], subject, text, 'mail');
  }

  private async deliver(to: string[], subject: string, text: string, what: string): Promise<boolean> {
    if (!this.transport) {
      this.logger.warn(`${what} not sent, SMTP_URL is not set: ${subject}`);
      return false;
    }
    try {
      await this.transport.sendMail({ from: this.config.smtp.from, to, subject, text });
      return true;
    } catch (error) {
      this.logger.warn(`${what} not sent (${(error as { code?: string }).code ?? 'SMTP error'}): ${subject}`);
      return false;
    }
  }

  /** After the jobs in hand have ended: one of them may still be sending an alert. */
  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
