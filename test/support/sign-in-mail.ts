import type { Mail } from './smtp-sink.js';
import { eventually } from './test-app.js';

/** The sign-in link(s) of the newest mail to this address; waits for it to arrive. */
export async function signInLinks(mails: Mail[], to: string, after = 0): Promise<string[]> {
  return eventually(async () => {
    const mail = mails.slice(after).reverse().find((m) => m.to.includes(to));
    if (!mail) throw new Error(`no mail to ${to} yet`);
    const body = mail.body.replace(/=\r?\n/g, '');
    const links = [...body.matchAll(/https?:\/\/[^\s]+#\/signin\/([A-Za-z0-9_-]{43})/g)].map((m) => m[0]);
    if (links.length === 0) throw new Error(`the mail to ${to} has no sign-in link`);
    return links;
  }, 15_000, 100);
}

export const tokenOf = (link: string): string => link.slice(link.lastIndexOf('/') + 1);
