import { request } from 'node:http';
import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesAdapter } from '../../src/core/adapters/files.adapter.js';
import { NginxAdapter, NginxConfigError } from '../../src/core/adapters/nginx.adapter.js';
import { ProcessRunner } from '../../src/core/adapters/process.adapter.js';
import { NginxInstance, startNginx } from '../../scripts/lib/nginx-instance.js';
import { freePorts } from '../../scripts/lib/ports.js';

/** Against a real, private nginx on free loopback ports. */
describe('NginxAdapter', () => {
  let dataDir: string;
  let nginx: NginxInstance;
  let adapter: NginxAdapter;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hostkeeper-nginx-'));
    const [httpPort, httpsPort] = await freePorts(2);
    nginx = await startNginx({ dataDir, httpPort, httpsPort, sitesDir: join(dataDir, 'sites') });
    adapter = new NginxAdapter(
      { bin: nginx.bin, conf: nginx.confPath, sitesDir: nginx.sitesDir, reloadWindowMs: 100 },
      new ProcessRunner(),
      new FilesAdapter(),
    );
  });

  afterAll(async () => {
    await nginx?.stop();
    if (dataDir && !process.env.KEEP_TEST_DIRS) await fs.rm(dataDir, { recursive: true, force: true });
  });

  const vhost = (host: string, body: string) =>
    `server {\n  listen ${nginx.listenAddress}:${nginx.httpPort};\n  server_name ${host};\n  location / { return 200 "${body}"; }\n}\n`;
  const siteFile = (siteKey: string) => join(nginx.sitesDir, `${siteKey}.conf`);
  const get = (host: string) => httpGet(nginx.httpPort, host);

  it('serves an applied site and rejects a bad config without touching the running server', async () => {
    await adapter.applySite('a.test', vhost('a.test', 'a-v1'));
    await adapter.applySite('b.test', vhost('b.test', 'b-v1'));
    expect(await get('a.test')).toEqual({ status: 200, body: 'a-v1' });

    const failure = adapter.applySite('a.test', 'server { listen nonsense; bogus_directive on; }');
    await expect(failure).rejects.toBeInstanceOf(NginxConfigError);
    await expect(failure).rejects.toMatchObject({ blame: 'site', siteKey: 'a.test' });

    expect(await fs.readFile(siteFile('a.test'), 'utf8')).toBe(vhost('a.test', 'a-v1'));
    expect(await get('a.test')).toEqual({ status: 200, body: 'a-v1' });
    expect(await get('b.test')).toEqual({ status: 200, body: 'b-v1' });
  });

  it('removes the new file when a site that did not exist is rejected', async () => {
    await expect(adapter.applySite('new.test', 'server {')).rejects.toMatchObject({ blame: 'site' });
    await expect(fs.access(siteFile('new.test'))).rejects.toThrow();
  });

  it('refuses site keys that are not plain lowercase names', async () => {
    await expect(adapter.applySite('../etc/x', vhost('x', 'x'))).rejects.toThrow(/not a valid site key/);
    await expect(adapter.applySite('A.test', vhost('x', 'x'))).rejects.toThrow(/not a valid site key/);
  });

  it('quarantines hand-broken foreign files so other sites can still be applied', async () => {
    await fs.writeFile(siteFile('typo.test'), `server { listen ${nginx.listenAddress}:${nginx.httpPort}; server_nam typo.test; }\n`);
    await fs.writeFile(
      siteFile('nocert.test'),
      `server { listen ${nginx.listenAddress}:${nginx.httpsPort} ssl; server_name nocert.test;\n` +
        `  ssl_certificate ${dataDir}/missing.pem; ssl_certificate_key ${dataDir}/missing.key; }\n`,
    );

    const outcome = await adapter.applySite('c.test', vhost('c.test', 'c-v1'));

    expect(outcome.quarantined.map(({ siteKey }) => siteKey).sort()).toEqual(['nocert.test', 'typo.test']);
    expect(outcome.quarantined.find(({ siteKey }) => siteKey === 'typo.test')?.nginxMessage).toMatch(/server_nam/);
    await expect(fs.access(`${siteFile('typo.test')}.broken`)).resolves.toBeUndefined();
    await expect(fs.access(siteFile('typo.test'))).rejects.toThrow();
    expect(await get('c.test')).toEqual({ status: 200, body: 'c-v1' });
    expect(await get('b.test')).toEqual({ status: 200, body: 'b-v1' });
  });

  it('blames the main configuration, not the site, when nginx.conf itself is broken', async () => {
    const mainConf = await fs.readFile(nginx.confPath, 'utf8');
    await fs.writeFile(nginx.confPath, `${mainConf}\nbroken_main_directive;\n`);
    try {
      await expect(adapter.applySite('c.test', vhost('c.test', 'c-v2'))).rejects.toMatchObject({ blame: 'elsewhere' });
      expect(await fs.readFile(siteFile('c.test'), 'utf8')).toBe(vhost('c.test', 'c-v1'));
    } finally {
      await fs.writeFile(nginx.confPath, mainConf);
    }
  });

  it('applies a batch with one test and one reload, failing only the bad sites', async () => {
    const entries = Array.from({ length: 8 }, (_, i) => ({ siteKey: `batch${i}.test`, config: vhost(`batch${i}.test`, `batch${i}`) }));
    entries[2].config = 'server { nope; }';
    entries[6].config = 'server {';
    const before = adapter.reloadCount;

    const outcome = await adapter.applySites(entries);

    expect(outcome.results.filter((result) => !result.ok).map(({ siteKey }) => siteKey)).toEqual(['batch2.test', 'batch6.test']);
    expect(adapter.reloadCount - before).toBe(1);
    expect(await get('batch7.test')).toEqual({ status: 200, body: 'batch7' });
    await expect(fs.access(siteFile('batch2.test'))).rejects.toThrow();
  });

  it('reloads a batch nginx takes without a separate test, and tests one the master refuses while the old configuration serves on', async () => {
    const tests: string[][] = [];
    const counting = new (class extends ProcessRunner {
      override run(...args: Parameters<ProcessRunner['run']>): ReturnType<ProcessRunner['run']> {
        if (args[1].includes('-t')) tests.push([...args[1]]);
        return super.run(...args);
      }
    })();
    const batches = new NginxAdapter({ bin: nginx.bin, conf: nginx.confPath, sitesDir: nginx.sitesDir, reloadWindowMs: 100 }, counting, new FilesAdapter());
    const good = Array.from({ length: 5 }, (_, i) => ({ siteKey: `quick${i}.test`, config: vhost(`quick${i}.test`, `quick${i}`) }));
    const before = batches.reloadCount;

    const taken = await batches.applySites(good);

    expect(taken.results.every((result) => result.ok)).toBe(true);
    expect(taken.timing.untested).toBe('switched');
    expect(tests).toEqual([]);
    expect(batches.reloadCount - before).toBe(1);
    expect(await get('quick4.test')).toEqual({ status: 200, body: 'quick4' });

    const mixed = good.map((entry, i) => ({ ...entry, config: vhost(entry.siteKey, `again${i}`) }));
    mixed[3].config = 'server { listen nonsense; }';
    const settled = await batches.applySites(mixed);

    // seen asleep again without new workers, not found out by the 15 s wait for a switch
    expect(settled.timing.untested).toBe('refused');
    expect(tests.length).toBeGreaterThan(0);
    expect(settled.results.filter((result) => !result.ok).map(({ siteKey }) => siteKey)).toEqual(['quick3.test']);
    expect(await fs.readFile(siteFile('quick3.test'), 'utf8')).toBe(good[3].config);
    expect(await get('quick3.test')).toEqual({ status: 200, body: 'quick3' });
    expect(await get('quick0.test')).toEqual({ status: 200, body: 'again0' });
    expect(batches.reloadCount - before).toBe(2);
  });

  it('writes a large batch with one file-system flush, all-or-nothing per file, and leaves no temporary file', async () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ siteKey: `many${i}.test`, config: vhost(`many${i}.test`, `many${i}`) }));
    entries[17].config = 'server { nope; }';
    const outcome = await adapter.applySites(entries);
    expect(outcome.results.filter((result) => !result.ok).map(({ siteKey }) => siteKey)).toEqual(['many17.test']);
    expect(await get('many39.test')).toEqual({ status: 200, body: 'many39' });
    expect(await fs.readFile(siteFile('many0.test'), 'utf8')).toBe(entries[0].config);
    expect(((await fs.stat(siteFile('many0.test'))).mode & 0o777)).toBe(0o644);
    await expect(fs.access(siteFile('many17.test'))).rejects.toThrow();
    expect((await fs.readdir(nginx.sitesDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // the same batch again, every file changed: still one reload
    const before = adapter.reloadCount;
    const again = entries.filter((_, i) => i !== 17).map((entry, i) => ({ ...entry, config: vhost(entry.siteKey, `again${i}`) }));
    await adapter.applySites(again);
    expect(adapter.reloadCount - before).toBe(1);
    expect(await get('many0.test')).toEqual({ status: 200, body: 'again0' });
  });

  it('does not fail the site nginx names when another one is at fault', async () => {
    const [port] = await freePorts(1);
    const listen = `${nginx.listenAddress}:${port}`;
    // nginx blames the default server of that port for another server's `ssl` without a certificate.
    const outcome = await adapter.applySites([
      { siteKey: 'blame-a.test', config: `server { listen ${listen} ssl; server_name blame-a.test; }\n` },
      { siteKey: 'blame-b.test', config: `server { listen ${listen} default_server; server_name blame-b.test; return 200 "b"; }\n` },
    ]);

    expect(outcome.results).toEqual([
      { siteKey: 'blame-a.test', ok: false, error: expect.objectContaining({ blame: 'site' }) },
      { siteKey: 'blame-b.test', ok: true },
    ]);
    expect((outcome.results[0] as { error: NginxConfigError }).error.nginxMessage).toMatch(/ssl_certificate/);
    expect(await httpGet(port, 'blame-b.test')).toEqual({ status: 200, body: 'b' });
  });

  it('coalesces the reloads of 20 concurrent applies', async () => {
    const before = adapter.reloadCount;
    const keys = Array.from({ length: 20 }, (_, i) => `many${i}.test`);

    await Promise.all(keys.map((key) => adapter.applySite(key, vhost(key, key))));

    expect(adapter.reloadCount - before).toBeLessThanOrEqual(3);
    for (const key of keys) expect(await get(key)).toEqual({ status: 200, body: key });
  });

  it('removes a site', async () => {
    await adapter.removeSite('b.test');
    // hostkeeper's default server closes names no site claims without an answer
    await expect(get('b.test')).rejects.toThrow(/socket hang up/);
    await expect(fs.access(siteFile('b.test'))).rejects.toThrow();
  });
});

function httpGet(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false, so an old worker's keep-alive connection cannot answer with the old configuration.
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}
