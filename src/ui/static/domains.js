import { toUnicode } from '/ui/vendor/punycode.mjs';

/** Domains as people write them: ñandú-solidaridad.example, not xn--…. */
export const displayDomain = (domain) => toUnicode(domain);
export const siteName = (site) => displayDomain(site.domains[0]);
