/** One finding of `testssl --jsonfile` (3.0.x: a flat array). */
export interface TestsslFinding {
  id: string;
  severity: string;
  finding: string;
}

export interface TlsGrade {
  grade: string;
  reasons: string[];
}

const GRADES = ['A+', 'A', 'A-', 'B', 'C', 'F', 'T'];
/** SSL Labs' A+ needs HSTS of at least six months. */
const HSTS_MIN_SECONDS = 15_552_000;

/**
 * testssl.sh 3.0.8 prints no overall grade (its rating came with 3.1), so the
 * grade is derived from its findings by SSL Labs' published rules (rating
 * guide 2009r) as far as protocols, cipher categories, forward secrecy, the
 * certificate and HSTS decide it: SSLv2/3 or NULL/export ciphers fail, TLS
 * 1.0/1.1 or no forward secrecy cap at B, 3DES at C, no TLS 1.3 at A-, an
 * untrusted or expired certificate is T, and A+ needs HSTS >= 6 months.
 */
export function gradeFromTestssl(findings: TestsslFinding[]): TlsGrade {
  const by = new Map(findings.map((finding) => [finding.id, finding]));
  const offered = (id: string) => /^offered/.test(by.get(id)?.finding ?? '');
  const caps: Array<[boolean, string, string]> = [
    [offered('SSLv2') || offered('SSLv3'), 'F', 'SSLv2 or SSLv3 offered'],
    [offered('cipherlist_NULL') || offered('cipherlist_aNULL') || offered('cipherlist_EXPORT'), 'F', 'NULL, anonymous or export ciphers offered'],
    [offered('cipherlist_LOW'), 'F', 'low-grade (64-bit, DES) ciphers offered'],
    [offered('cipherlist_3DES_IDEA'), 'C', '3DES or IDEA ciphers offered'],
    [offered('TLS1') || offered('TLS1_1'), 'B', 'TLS 1.0 or 1.1 offered'],
    [!/^offered/.test(by.get('FS')?.finding ?? by.get('PFS')?.finding ?? ''), 'B', 'no forward secrecy'],
    [!offered('TLS1_3'), 'A-', `no TLS 1.3 (testssl: ${by.get('TLS1_3')?.finding ?? 'not tested'})`],
    [untrusted(by.get('cert_chain_of_trust')), 'T', `certificate not trusted: ${by.get('cert_chain_of_trust')?.finding ?? 'not checked'}`],
    [/expired/i.test(by.get('cert_expirationStatus')?.finding ?? ''), 'T', 'certificate expired'],
  ];
  const reasons = caps.filter(([applies]) => applies).map(([, , reason]) => reason);
  let grade = caps.filter(([applies]) => applies).reduce((worst, [, cap]) => (GRADES.indexOf(cap) > GRADES.indexOf(worst) ? cap : worst), 'A');
  if (grade === 'A') {
    const hstsFinding = (by.get('HSTS_time') ?? by.get('HSTS'))?.finding;
    const hsts = hstsSeconds(hstsFinding);
    if (hsts >= HSTS_MIN_SECONDS && warnings(findings) === '') grade = 'A+';
    else reasons.push(hsts >= HSTS_MIN_SECONDS ? `warnings keep it from A+: ${warnings(findings)}` : `no HSTS of at least 6 months, A+ needs it (testssl: ${hstsFinding ?? 'not tested'})`);
  }
  return { grade, reasons };
}

/**
 * Not the server's doing: testssl's own OpenSSL lacking engines, and a
 * certificate without revocation URLs (pebble's; SSL Labs shows it without
 * a cap, and Let's Encrypt's certificates carry a CRL URL).
 */
const NOT_GRADED = new Set(['engine_problem', 'cert_revocation']);

function warnings(findings: TestsslFinding[]): string {
  return findings.filter((finding) => ['WARN', 'HIGH', 'CRITICAL'].includes(finding.severity) && !NOT_GRADED.has(finding.id)).map((finding) => `${finding.id}: ${finding.finding}`).join('; ');
}

function untrusted(finding?: TestsslFinding): boolean {
  return finding === undefined || !/^passed/i.test(finding.finding);
}

/** testssl 3.0 says e.g. `HSTS_time`: "730 days (=63072000 seconds) > 15552000 seconds", or `HSTS`: "not offered". */
function hstsSeconds(finding?: string): number {
  const seconds = /=\s*(\d+)\s*s/.exec(finding ?? '')?.[1];
  return seconds ? Number(seconds) : 0;
}
