import type { Alert } from '../notifications/mailer.service.js';

interface SiteRef {
  primaryDomain: string;
  member: { contactEmail: string };
}

export function endingSoonAlert(site: SiteRef, level: string, until: Date): Alert {
  return {
    subject: `[hostkeeper] ${site.primaryDomain}: under-attack mode ends at ${until.toISOString().slice(11, 16)} UTC`,
    text:
      `The "${level}" defence of ${site.primaryDomain} switches itself off at ${until.toISOString()}.\n` +
      'If the site is still under attack, set it again (PUT /api/sites/:id/defence) to keep it on.\n',
    memberEmail: site.member.contactEmail,
  };
}

export function endedAlert(site: SiteRef, level: string): Alert {
  return {
    subject: `[hostkeeper] ${site.primaryDomain}: under-attack mode is off`,
    text: `The "${level}" defence of ${site.primaryDomain} reached its end time and is now off.\n`,
    memberEmail: site.member.contactEmail,
  };
}
