import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProcessRunner } from '../src/core/adapters/process.adapter.js';
import { gradeFromTestssl, TestsslFinding } from './lib/tls-grade.js';

/**
 * npm run check:tls -- <domain> [--port 443] [--address 127.0.0.1] [--ca root.pem]
 * Runs Debian's testssl.sh against a served site (protocols, cipher
 * categories, forward secrecy, headers, certificate: -p -s -f -h -S, the
 * fast subset) and prints the grade derived from its findings.
 */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const ADDRESS = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+$/i;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '443' }, address: { type: 'string' }, ca: { type: 'string' } },
  });
  const domain = positionals[0]?.toLowerCase() ?? '';
  const port = Number(values.port);
  if (!DOMAIN.test(domain)) throw new Error('usage: npm run check:tls -- <domain> [--port 443] [--address 127.0.0.1] [--ca root.pem]');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('--port must be a port number');
  if (values.address && !ADDRESS.test(values.address)) throw new Error('--address must be an IP address');

  const dir = await mkdtemp(join(tmpdir(), 'hostkeeper-testssl-'));
  try {
    const jsonPath = join(dir, 'findings.json');
    const args = ['--quiet', '--color', '0', '--warnings', 'batch', '-p', '-s', '-f', '-h', '-S', '--jsonfile', jsonPath];
    if (values.address) args.push('--ip', values.address);
    if (values.ca) args.push('--add-ca', values.ca);
    // testssl's exit code counts findings, so only a missing report is a failure
    await new ProcessRunner().run('testssl', [...args, `https://${domain}:${port}/`], { timeoutMs: 15 * 60_000 });
    const findings = JSON.parse(await readFile(jsonPath, 'utf8')) as TestsslFinding[];
    const { grade, reasons } = gradeFromTestssl(findings);
    console.log(`${domain}:${port} grade ${grade}${reasons.length ? ` (${reasons.join('; ')})` : ''}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
