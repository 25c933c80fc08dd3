import type { Alert } from '../notifications/mailer.service.js';

interface SiteRef {
  primaryDomain: string;
  member: { contactEmail: string };
}

export function issuanceFailedAlert(site: SiteRef, kind: 'enable' | 'renew', reason: string): Alert {
  const what = kind === 'enable' ? 'HTTPS could not be enabled' : 'the HTTPS certificate could not be renewed';
  return {
    subject: `[hostkeeper] ${site.primaryDomain}: ${what}`,
    text: `For ${site.primaryDomain}, ${what}.\n\nReason: ${reason}\n\nThe site's HTTPS status in hostkeeper shows the same reason.\n`,
    memberEmail: site.member.contactEmail,
  };
}

export function expiringAlert(site: SiteRef, notAfter: Date): Alert {
  return {
    subject: `[hostkeeper] ${site.primaryDomain}: certificate expires ${notAfter.toISOString().slice(0, 10)}`,
    text: `The HTTPS certificate of ${site.primaryDomain} expires at ${notAfter.toISOString()} and has not been renewed yet.\nVisitors will see a security warning after that moment.\n`,
    memberEmail: site.member.contactEmail,
  };
}

export function servedMismatchAlert(primaryDomain: string, memberEmail: string, problem: string, repaired: boolean): Alert {
  return {
    subject: `[hostkeeper] ${primaryDomain}: the served certificate was not the newest${repaired ? ' (repaired)' : ''}`,
    text: `A TLS handshake to ${primaryDomain} found: ${problem}.\n\n${
      repaired
        ? 'hostkeeper rendered the site again and reloaded nginx; the newest certificate is served now.'
        : 'Rendering the site again and reloading nginx did not help; staff need to look at the web server.'
    }\n`,
    memberEmail,
  };
}
